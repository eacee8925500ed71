"""Per-clinician fidelity and outcome figures on the workspace: THE INTEGRATION POINT.

Issue 12 items 2 and 3 (fidelity indicators, programme outcomes) are built in
`rapport.programme.figures` by another change. Until the integrator wires it here, this returns
None and the workspace shows "not yet available" in those columns. Wire it by returning, for each
clinician id, a mapping of figure name to a value the template prints (or a dict with "n", "of",
"rate"), computed only over the clients of `team_ids` (the caller's teams in view)."""


def clinician_figures(team_ids: list[int], clinician_ids: list[int]) -> dict[int, dict] | None:
    """Fidelity and outcome figures per clinician, or None while they are not wired."""
    return None
