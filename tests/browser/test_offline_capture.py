"""A group session recorded on a phone with no signal (issue 13 item 5), in Debian's chromium.

The facilitator opens the group's session screen while online (the service worker keeps it, with
the roster, the crisis lines and the sealing key), the network goes off, the whole group of eight
is recorded with one member's positive item 9, and the session waits on the device, sealed. When
the network returns it arrives once, the alert keeps the time it was recorded, and the group's
supervisor has been told. A reply lost on the way makes the device send it again, and the server
keeps one session. Signing out empties the device even from a page without our script.

Playwright's offline switch does not reach a service worker's own requests (microsoft/playwright
issue 2311), so these tests never navigate while offline: everything the page needs is already
loaded, and what the page itself sends is cut off, as on a phone in a village with no signal.
"""

import json
import re
from datetime import datetime

from django.test import Client
from playwright.sync_api import expect
from tests.browser.checks import check_page
from tests.browser.conftest import PHONE, SCREENSHOTS, sign_in
from tests.offline_support import make_group, session_body
from tests.personas import CANARY

from rapport.clinic.models import Notification, RiskAlert
from rapport.groups.membership import members_on
from rapport.groups.models import GroupSession, MemberRecord

NO_NETWORK = r"ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|ERR_FAILED|Failed to (fetch|load resource)"
OUTBOX = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open("rapport-offline");
  open.onsuccess = () => {
    const all = open.result.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => { resolve(all.result); open.result.close(); };
    all.onerror = () => reject(all.error);
  };
  open.onerror = () => reject(open.error);
})"""


def open_capture_screen(new_page, clinic, watch):
    watch.allow(NO_NETWORK)
    group = make_group(clinic)
    page = new_page(PHONE, service_workers="allow")
    sign_in(page, clinic.clinician.email)
    page.goto(f"/groups/{group.pk}/sessions/new/")
    # The roster, crisis lines and key have arrived and are kept on the device.
    expect(page.locator("form.group-capture[data-offline-kept='true']")).to_be_attached()
    return page, group


def record_whole_group(page, group, *, risky: int | None = None) -> None:
    for i, membership in enumerate(members_on(group, datetime.now().date())):
        record = page.locator(f"#member-{membership.pk}")
        expect(record.get_by_role("checkbox", name="Attended")).to_be_checked()
        record.locator("summary", has_text="PHQ-9").click()
        for item in range(1, 10):
            answer = "several_days" if (i == risky and item == 9) else "not_at_all"
            record.locator(f"select[name='m{membership.pk}-item{item}']").select_option(answer)


def test_a_whole_group_recorded_offline_on_a_phone_arrives_once_with_its_alert_at_the_original_time(
    new_page, clinic, watch
):
    page, group = open_capture_screen(new_page, clinic, watch)
    # Installable: chromium reads the manifest (a refusal by the Content-Security-Policy would fail
    # the test through `watch`).
    manifest = page.context.new_cdp_session(page).send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest") and not manifest["errors"]
    assert json.loads(manifest["data"])["display"] == "standalone"
    page.context.set_offline(True)
    record_whole_group(page, group, risky=2)

    # The member's crisis lines at once, from the copy kept on the phone (no request is possible).
    risky = list(members_on(group, datetime.now().date()))[2]
    crisis = page.locator(f"[data-offline-crisis='{risky.pk}']")
    expect(crisis).to_be_visible()
    expect(crisis.get_by_role("heading")).to_contain_text(risky.client.display_name)
    expect(crisis.get_by_role("link").first).to_have_attribute("href", re.compile(r"^tel:\+?[0-9]+$"))
    crisis.screenshot(path=str(SCREENSHOTS / "offline-crisis-lines-phone.png"))

    page.get_by_role("button", name="Save the session").click()
    expect(page.locator(".offline-count")).to_have_text("1 session waiting to send")
    page.screenshot(path=str(SCREENSHOTS / "offline-waiting-phone.png"))
    problems: list[str] = []
    check_page(page, "offline-capture-waiting", PHONE, problems)
    assert problems == []
    waiting = page.evaluate(OUTBOX)
    assert len(waiting) == 1
    # Sealed on the device: no member's name or answer can be read from what waits.
    stored = json.dumps(waiting)
    assert CANARY not in stored and "several_days" not in stored
    recorded_at = datetime.fromisoformat(waiting[0]["recorded_at"].replace("Z", "+00:00"))
    page.wait_for_timeout(1500)  # so that the time it arrives differs from the time it was recorded
    assert GroupSession.objects.count() == 0

    page.context.set_offline(False)
    expect(page.locator(".offline-note.sent")).to_contain_text("Session 1 was sent and saved", timeout=20_000)
    expect(page.locator(".offline-count")).to_have_text("Nothing waiting to send.")
    page.screenshot(path=str(SCREENSHOTS / "offline-sent-phone.png"))

    session = GroupSession.objects.get()
    assert MemberRecord.objects.filter(session=session).count() == 8
    alert = RiskAlert.objects.get()
    assert alert.client_id == risky.client_id
    assert datetime.fromisoformat(alert.source_record["recorded_at"]) == recorded_at
    assert alert.response.answered_at == recorded_at < alert.created_at
    assert Notification.objects.filter(recipient=clinic.supervisor, alert=alert).exists()
    assert page.evaluate(OUTBOX) == []


def test_a_session_whose_reply_was_lost_is_sent_again_and_kept_once(new_page, clinic, watch):
    page, _group = open_capture_screen(new_page, clinic, watch)
    page.context.set_offline(True)
    page.get_by_role("button", name="Save the session").click()  # every member attended, no scores
    expect(page.locator(".offline-count")).to_have_text("1 session waiting to send")

    answers = []
    page.on("response", lambda r: "sealed-sessions" in r.url and answers.append(r.headers))
    tries = []

    def lose_the_first_reply(route):
        tries.append(route.request.headers["idempotency-key"])
        if len(tries) == 1:
            route.fetch()  # the server saves it ...
            route.abort("connectionreset")  # ... and the phone never hears back
        else:
            route.continue_()

    page.route("**/sealed-sessions", lose_the_first_reply)
    page.context.set_offline(False)
    expect(page.locator(".offline-note.sent")).to_contain_text("Session 1 was sent and saved", timeout=30_000)
    assert len(tries) == 2 and tries[0] == tries[1]  # the same idempotency key both times
    assert answers and answers[-1].get("idempotent-replayed") == "true"
    assert GroupSession.objects.count() == 1
    assert MemberRecord.objects.count() == 8


def test_signing_out_empties_the_device_even_when_our_script_does_not_run(new_page, clinic, watch):
    page, _group = open_capture_screen(new_page, clinic, watch)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    held = page.evaluate(
        """async () => ({
        caches: (await caches.keys()).length,
        workers: (await navigator.serviceWorker.getRegistrations()).length,
        databases: (await indexedDB.databases()).map((d) => d.name),
    })"""
    )
    assert held["caches"] >= 1 and held["workers"] == 1 and "rapport-offline" in held["databases"]
    # Sign out the way a page whose script never ran would: a plain post, no handler of ours.
    page.evaluate(
        """async () => {
        const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
        await fetch("/sign-out/", { method: "POST", headers: { "X-CSRFToken": token } });
    }"""
    )
    left = page.evaluate(
        """async () => ({
        caches: (await caches.keys()).length,
        workers: (await navigator.serviceWorker.getRegistrations()).length,
        databases: (await indexedDB.databases()).map((d) => d.name),
    })"""
    )
    assert left == {"caches": 0, "workers": 0, "databases": []}


def test_the_idle_reload_does_not_wipe_a_session_being_typed_with_no_connection(
    new_page, clinic, watch, settings
):
    settings.RAPPORT_STAFF_IDLE_SECONDS = 2
    page, _group = open_capture_screen(new_page, clinic, watch)
    page.context.set_offline(True)
    page.get_by_label("Group notes").fill("Ground rules agreed; two members spoke of their sisters.")
    page.wait_for_timeout(6000)  # past the idle limit: online, this page would reload to sign-in
    expect(page.get_by_label("Group notes")).to_have_value(re.compile("Ground rules agreed"))
    page.context.set_offline(False)
    page.wait_for_url(re.compile("/sign-in/"), timeout=15_000)  # back online, the limit applies


def test_a_session_changed_offline_on_two_phones_keeps_the_first_and_tells_the_second(
    new_page, clinic, watch
):
    watch.allow(NO_NETWORK)
    watch.allow("409")
    group = make_group(clinic)
    api = Client()
    api.force_login(clinic.clinician)
    created = api.post(
        f"/api/v1/groups/{group.pk}/sessions",
        data=json.dumps(session_body(group)),
        content_type="application/json",
    ).json()
    phones = []
    for _ in range(2):
        page = new_page(PHONE, service_workers="allow")
        sign_in(page, clinic.clinician.email)
        page.goto(f"/groups/{group.pk}/sessions/{created['id']}/edit/")
        expect(page.locator("form.group-capture[data-offline-kept='true']")).to_be_attached()
        page.context.set_offline(True)
        phones.append(page)
    for n, page in enumerate(phones, start=1):
        page.get_by_label("Group notes").fill(f"Written on phone {n}")
        page.get_by_role("button", name="Save the session").click()
        expect(page.locator(".offline-count")).to_have_text("1 session waiting to send")
    first, second = phones
    first.context.set_offline(False)
    expect(first.locator(".offline-note.sent")).to_contain_text(
        "Session 1 was sent and saved", timeout=20_000
    )
    second.context.set_offline(False)
    # The second phone's form is posted as it stands: the server shows the conflict, with what was
    # typed still on the screen, and overwrites nothing.
    expect(second.get_by_role("alert")).to_contain_text("Someone else saved this session", timeout=20_000)
    expect(second.get_by_label("Group notes")).to_have_value("Written on phone 2")
    second.screenshot(path=str(SCREENSHOTS / "offline-conflict-phone.png"))
    assert GroupSession.objects.get().notes == "Written on phone 1"


def test_what_waits_is_sent_from_any_page_and_shown_there(new_page, clinic, watch):
    page, _group = open_capture_screen(new_page, clinic, watch)
    page.route("**/sealed-sessions", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator(".offline-count")).to_have_text("1 session waiting to send")
    page.goto("/caseload/")
    expect(page.locator(".offline-count")).to_have_text("1 session waiting to send")
    page.screenshot(path=str(SCREENSHOTS / "offline-waiting-elsewhere-phone.png"))
    page.unroute("**/sealed-sessions")
    # Sent by the retry (10 s after the failed try on this page), without the session screen open.
    expect(page.locator(".offline-note.sent")).to_contain_text("Session 1 was sent", timeout=40_000)
    assert GroupSession.objects.count() == 1


def test_signing_out_with_a_session_waiting_warns_first_then_clears_the_device(new_page, clinic, watch):
    page, _group = open_capture_screen(new_page, clinic, watch)
    page.route("**/sealed-sessions", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Save the session").click()
    expect(page.locator(".offline-count")).to_have_text("1 session waiting to send")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".offline-note.warning")).to_contain_text("Signing out deletes it from this phone")
    assert "/sessions/new/" in page.url and len(page.evaluate(OUTBOX)) == 1
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Rapport")).to_be_visible()
    assert page.evaluate("async () => (await indexedDB.databases()).length") == 0
    assert GroupSession.objects.count() == 0
