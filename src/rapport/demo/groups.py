"""The demo's group IPT (issue 13): a lay counsellor with one group in the middle phase (eight
members, sessions 1 to 4 recorded) and one group still forming. Every name and place is invented.
Everything is written through the same services as the pages and the API."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

from django.utils import timezone

from rapport.accounts.models import User
from rapport.clinic import measurement
from rapport.clinic.models import Client
from rapport.groups import capture, formation, membership

COUNSELLOR = ("counsellor@demo.rapport", "Chipo Moyo", "clinician", "Lay counsellor", "South team")

# The running group's members: full name, date of birth (year, month, day), PHQ-9 totals at the
# pre-group session and at sessions 1-4 (None: absent), and item 9 where it is not 0 {session: 1..3}.
RUNNING: list[tuple[str, tuple[int, int, int], list[int | None], dict[int, int]]] = [
    ("Amina Yusuf", (1984, 3, 2), [18, 17, 15, 14, 12], {}),
    ("Beatrice Njeri", (1979, 11, 20), [21, 20, None, 17, 15], {}),
    ("Carmen Ruiz", (1991, 6, 14), [16, 16, 14, 13, 13], {}),
    ("Dalia Haddad", (1988, 1, 30), [19, 18, 18, 16, 14], {2: 1}),
    ("Esther Boateng", (1975, 9, 9), [15, 14, 12, None, 10], {}),
    ("Farida Osman", (1996, 4, 4), [22, 21, 19, 18, 16], {}),
    ("Grace Mwangi", (1982, 12, 12), [17, 15, 14, 12, 11], {}),
    ("Hana Tesfaye", (1990, 8, 25), [20, None, 18, 17, 17], {}),
]
# The forming group: three members seen for their pre-group session so far.
FORMING: list[tuple[str, tuple[int, int, int], int]] = [
    ("Ines Carvalho", (1987, 5, 5), 16),
    ("Joy Okonkwo", (1993, 2, 17), 19),
    ("Kalinda Rao", (1980, 10, 1), 14),
]
TASKS = [
    "Tell my sister how I have been feeling",
    "Visit a neighbour I have not seen since the funeral",
    "Ask my husband to help with the market stall one morning",
    "Join the women's savings meeting again",
]
FREQUENCY = ["not_at_all", "several_days", "more_than_half_the_days", "nearly_every_day"]


def _answers(total: int, item9: int = 0) -> dict[str, str]:
    scores = [0] * 9
    scores[8] = item9
    left = total - item9
    while left > 0:
        for i in range(8):
            if left and scores[i] < 3:
                scores[i] += 1
                left -= 1
    return {f"item{n}": FREQUENCY[s] for n, s in enumerate(scores, start=1)}


def _mood(totals, number) -> int | None:
    """A bit better when the score fell since the last score taken, else about the same."""
    score = totals[number]
    before = [t for t in totals[:number] if t is not None]
    if score is None or not before:
        return None
    return 1 if score < before[-1] else 0


def _client(org, team, counsellor, full, born) -> Client:
    return Client.objects.create(
        organisation=org,
        team=team,
        responsible_clinician=counsellor,
        full_name=full,
        date_of_birth=datetime(*born).date(),
        language="en",
        country="GB",
        time_zone=org.time_zone,
        status="active",
    )


def load(org, teams, password: str, today) -> None:
    email, name, role, title, team_name = COUNSELLOR
    counsellor = User.objects.create_user(
        email, password, full_name=name, role=role, clinician_title=title, organisation=org
    )
    team = teams[team_name]
    team.members.add(counsellor)
    request = SimpleNamespace(user=counsellor, META={}, id=None, resolver_match=None)
    start = today - timedelta(weeks=4, days=1)

    def group(name, planned_start, place, day, status):
        return formation.create_group(
            request,
            formation.GroupValues(
                name=name,
                variant="group_ipt_who",
                facilitator_id=counsellor.pk,
                co_facilitator_id=None,
                team_id=team.pk,
                lay_facilitated=True,
                meeting_place=place,
                meeting_day=day,
                meeting_time=time(10, 0),
                planned_start=planned_start,
                status=status,
            ),
        )

    running = group(
        "Riverside group", start, "Riverside community hall", start.strftime("%a").lower()[:3], "forming"
    )
    members = []
    for full, born, totals, item9 in RUNNING:
        client = _client(org, team, counsellor, full, born)
        joined = start - timedelta(days=10)
        member = membership.add_member(
            request, running.pk, membership.NewMember(client.pk, joined, "Referred by the clinic")
        )
        _pre_group(request, running, member, joined, totals[0])
        members.append((member, totals, item9))
    for number in range(1, 5):
        day = start + timedelta(weeks=number - 1)
        entries = []
        for i, (member, totals, item9) in enumerate(members):
            score = totals[number]
            entries.append(
                capture.MemberEntry(
                    membership_id=member.pk,
                    attended=score is not None,
                    phq9=_answers(score, item9.get(number, 0)) if score is not None else None,
                    mood_change=_mood(totals, number),
                    mood_event_ids=[],
                    mood_note="",
                    task_set=TASKS[(i + number) % len(TASKS)] if score is not None else "",
                    task_reviewed="It went better than I feared" if score is not None and number > 1 else "",
                    note="",
                    needs_follow_up=bool(item9.get(number)),
                    needs_follow_up_for_risk=False,
                )
            )
        when = timezone.make_aware(datetime.combine(day, time(11, 30)))
        capture.record_session(
            request,
            running.pk,
            capture.SessionValues(number, day, "Held as planned.", None, when, entries),
        )
    forming = group("Hillside group", today + timedelta(weeks=2), "Hillside clinic, room 2", "wed", "forming")
    for full, born, total in FORMING:
        client = _client(org, team, counsellor, full, born)
        joined = today - timedelta(days=3)
        member = membership.add_member(
            request, forming.pk, membership.NewMember(client.pk, joined, "Referred by the clinic")
        )
        _pre_group(request, forming, member, joined, total)


def _pre_group(request, group, member, day, total) -> None:
    when = timezone.make_aware(datetime.combine(day, time(14, 0)))
    measurement.record_response(request, member.client_id, "phq9", _answers(total), 0, when)
    membership.save_pre_group(
        request,
        group.pk,
        member.pk,
        membership.PreGroupValues(
            date=day,
            step_notes={"hope_and_invitation": "Explained the group; agreed to join."},
            accepted=True,
            note="",
        ),
        None,
    )
