import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test.signals import template_rendered

import rapport
from tests.personas import make_clinic


@pytest.fixture
def clinic(db):
    return make_clinic()


@pytest.fixture
def as_user(client):
    """A Django test client signed in as the given user (None stays anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def newcomer(clinic):
    """A client of the responsible clinician with no portal account yet."""
    from datetime import date

    from rapport.clinic.models import Client

    return Client.objects.create(
        organisation=clinic.org,
        team=clinic.team_a,
        responsible_clinician=clinic.clinician,
        full_name="Noor Newcomer",
        date_of_birth=date(1999, 3, 3),
        country="GB",
        time_zone="Europe/London",
        status="assessment",
    )


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield


# Every template is rendered by some test: a template no test renders is either dead or untested.
# Each process (each pytest-xdist worker) writes the names it saw into a directory of this run's
# own; the controlling process reads them all at the end and judges a full, passing run.

TEMPLATES = Path(rapport.__file__).parent / "templates"
RENDERED_DIR = pytest.StashKey[str]()


def pytest_addoption(parser):
    parser.addoption(
        "--check-templates",
        action="store_true",
        help="judge that every template was rendered even when only some tests were selected",
    )


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        config.stash[RENDERED_DIR] = tempfile.mkdtemp(prefix="rapport-rendered-")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    # pytest-xdist: tell each worker where this run's lists go.
    node.workerinput["rendered_templates_dir"] = node.config.stash[RENDERED_DIR]


@pytest.fixture(scope="session", autouse=True)
def _record_rendered_templates(request):
    config = request.config
    workerinput = getattr(config, "workerinput", None)
    directory = workerinput["rendered_templates_dir"] if workerinput else config.stash[RENDERED_DIR]
    names = set()

    def seen(sender, template, context, **kwargs):
        if template.name:
            names.add(template.name)

    template_rendered.connect(seen, dispatch_uid="rapport-rendered-templates")
    yield
    template_rendered.disconnect(dispatch_uid="rapport-rendered-templates")
    worker = workerinput["workerid"] if workerinput else "main"
    (Path(directory) / f"{worker}.txt").write_text("\n".join(sorted(names)))


def judges_template_coverage(config) -> bool:
    """Only a run of the whole suite can say that a template is never rendered."""
    if config.getoption("check_templates"):
        return True
    selected = config.getoption("keyword") or config.getoption("markexpr") or config.getoption("deselect")
    narrowed = config.getoption("ignore") or config.getoption("ignore_glob")
    return not selected and not narrowed and config.args_source == pytest.Config.ArgsSource.TESTPATHS


def never_rendered(directory: Path) -> list[str]:
    rendered = set()
    for listing in directory.glob("*.txt"):
        rendered.update(listing.read_text().split())
    templates = {path.relative_to(TEMPLATES).as_posix() for path in TEMPLATES.rglob("*") if path.is_file()}
    return sorted(templates - rendered)


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    if hasattr(config, "workerinput") or RENDERED_DIR not in config.stash:
        return
    directory = Path(config.stash[RENDERED_DIR])
    try:
        judged = exitstatus == pytest.ExitCode.OK and judges_template_coverage(config)
        if judged and (missing := never_rendered(directory)):
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            reporter.write_sep("=", "templates no test renders", red=True, bold=True)
            for name in missing:
                reporter.write_line(f"  {name}")
            reporter.write_line("Render each in a test, or delete it if nothing uses it.")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    finally:
        shutil.rmtree(directory, ignore_errors=True)
