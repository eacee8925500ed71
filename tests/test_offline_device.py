"""What the offline group screen leaves on a device: signing out tells the browser to empty it,
and the worker and manifest that make the screen installable are served from the site's root."""

import json

from tests.offline_support import make_group, session_body
from tests.test_signin import sign_in


def test_signing_out_tells_the_browser_to_empty_the_sites_storage_on_the_device(clinic, client):
    sign_in(client, clinic.clinician.email)
    response = client.post("/sign-out/")
    assert response.status_code == 302
    directives = {d.strip() for d in response["Clear-Site-Data"].split(",")}
    assert directives == {'"cache"', '"storage"'}  # storage: IndexedDB, caches, service workers


def test_a_page_that_is_not_a_sign_out_leaves_the_device_alone(clinic, client):
    sign_in(client, clinic.clinician.email)
    assert "Clear-Site-Data" not in client.get("/caseload/")


def test_the_service_worker_is_served_from_the_root_as_script_that_may_control_the_site(client):
    response = client.get("/service-worker.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    # It keeps only what the server marked, and never posts: the page sends what waits.
    assert "Rapport-Offline" in body and 'method: "POST"' not in body


def test_the_manifest_describes_an_installable_app_with_an_icon_of_the_site(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["display"] == "standalone" and manifest["scope"] == "/"
    assert all(icon["src"].startswith("/static/") for icon in manifest["icons"])


def test_only_the_new_session_screen_is_marked_for_the_device_to_keep(clinic, client):
    group = make_group(clinic)
    client.force_login(clinic.clinician)
    assert client.get(f"/groups/{group.pk}/sessions/new/")["Rapport-Offline"] == "keep"
    created = client.post(
        f"/api/v1/groups/{group.pk}/sessions",
        data=json.dumps(session_body(group)),
        content_type="application/json",
    ).json()
    # A recorded session's screen holds its scores and notes: never kept on the device.
    edit = client.get(f"/groups/{group.pk}/sessions/{created['id']}/edit/")
    assert edit.status_code == 200 and "Rapport-Offline" not in edit
    assert "Rapport-Offline" not in client.get(f"/groups/{group.pk}/")


def test_the_content_security_policy_lets_the_browser_read_the_sites_own_manifest(clinic, client):
    client.force_login(clinic.clinician)
    csp = client.get(f"/groups/{make_group(clinic).pk}/sessions/new/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["manifest-src"] == "'self'"
    assert "'unsafe-inline'" not in csp
