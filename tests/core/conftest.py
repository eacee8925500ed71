from hypothesis import HealthCheck, settings

# No example database on disk, so one run never depends on another (hypothesis still keeps a
# small cache in .hypothesis/, which ignores itself in git). No deadline, so a loaded CI machine
# cannot turn a slow example into a failure. The root conftest's autouse cache fixture is
# harmless to these pure tests, so its health check is silenced.
settings.register_profile(
    "rapport-core",
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("rapport-core")
