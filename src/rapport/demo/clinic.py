"""The invented demo clinic. Every name, date and place here is made up."""

from datetime import date

PASSWORD = "rapport-demo"  # noqa: S105  (demo data only; the loader refuses production)

ORGANISATION = {"name": "Larkfield Community Wellbeing Service", "time_zone": "Europe/London"}
TEAMS = ["North team", "South team"]

# email, full name, role, title, team
STAFF = [
    ("therapist@demo.rapport", "Dr Amara Okafor", "clinician", "Clinical psychologist", "North team"),
    ("ravi.menon@demo.rapport", "Ravi Menon", "clinician", "IPT therapist", "North team"),
    ("grace.tan@demo.rapport", "Grace Tan", "clinician", "Lay counsellor", "South team"),
    ("jonas.berg@demo.rapport", "Jonas Berg", "clinician", "Mental health nurse", "South team"),
    ("supervisor@demo.rapport", "Dr Helen Park", "supervisor", "IPT supervisor", None),
    ("admin@demo.rapport", "Sam Whitfield", "administrator", "", None),
    ("lead@demo.rapport", "Dr Ruth Adeyemi", "programme_lead", "IPT programme lead", None),
]

# Past clients whose course of IPT has ended, so that the programme's charts show something real:
# full name, date of birth, responsible clinician, weeks ago the course ended, ending reason,
# problem area, weekly PHQ-9 totals (GAD-7 at sessions 1, 3, 5, ... from the second list).
PAST_CLIENTS = [
    (
        "Rosa Delgado",
        date(1987, 2, 11),
        "therapist@demo.rapport",
        4,
        "completed",
        "role_transition",
        [18, 15, 12, 10, 8, 6, 5, 4],
        [13, 10, 7, 5],
    ),
    (
        "Tom Hargreaves",
        date(1972, 7, 4),
        "therapist@demo.rapport",
        9,
        "completed",
        "grief",
        [21, 19, 18, 15, 13, 12, 10, 9, 8, 7],
        [15, 13, 10, 8, 7],
    ),
    (
        "Aiyana Clarke",
        date(1999, 9, 30),
        "therapist@demo.rapport",
        14,
        "dropped_out",
        "role_dispute",
        [16, 17, 15],
        [11, 12],
    ),
    (
        "Bilal Rahman",
        date(1983, 12, 19),
        "ravi.menon@demo.rapport",
        6,
        "completed",
        "role_dispute",
        [14, 12, 12, 9, 7, 4, 3, 3],
        [10, 8, 6, 4],
    ),
    (
        "Chloe Ward",
        date(1994, 5, 8),
        "ravi.menon@demo.rapport",
        12,
        "completed",
        "interpersonal_deficits",
        [17, 16, 16, 15, 15, 14, 14, 13],
        [12, 12, 11, 11],
    ),
    (
        "Dmitri Volkov",
        date(1965, 1, 27),
        "ravi.menon@demo.rapport",
        19,
        "completed",
        "grief",
        [19, 17, 14, 11, 9, 7, 6, 6, 5, 4],
        [14, 12, 9, 7, 5],
    ),
    (
        "Esi Owusu",
        date(2001, 4, 2),
        "grace.tan@demo.rapport",
        3,
        "completed",
        "role_transition",
        [15, 13, 11, 9, 8, 6],
        [10, 8, 6],
    ),
    (
        "Farah Siddiqui",
        date(1990, 10, 14),
        "grace.tan@demo.rapport",
        8,
        "dropped_out",
        "role_dispute",
        [20],
        [14],
    ),
    (
        "Gareth Pryce",
        date(1979, 3, 23),
        "grace.tan@demo.rapport",
        16,
        "completed",
        "role_transition",
        [13, 12, 14, 15, 17, 18],
        [9, 10, 12],
    ),
    (
        "Hana Sato",
        date(1996, 8, 17),
        "jonas.berg@demo.rapport",
        5,
        "completed",
        "grief",
        [22, 20, 17, 14, 12, 9, 7, 6, 4, 4],
        [16, 13, 11, 8, 6],
    ),
    (
        "Ivan Petrov",
        date(1958, 11, 5),
        "jonas.berg@demo.rapport",
        11,
        "completed",
        "role_dispute",
        [12, 11, 9, 8, 6, 5],
        [8, 7, 5],
    ),
    (
        "Julia Nowak",
        date(1985, 6, 29),
        "jonas.berg@demo.rapport",
        21,
        "dropped_out",
        "role_transition",
        [18, 16, 16, 15],
        [12, 12],
    ),
]

# full name, preferred name, date of birth, status, responsible clinician, co-clinician, account
CLIENTS = [
    (
        "Jordan Ellis",
        "Jo",
        date(1991, 3, 14),
        "active",
        "therapist@demo.rapport",
        None,
        "client@demo.rapport",
    ),
    (
        "Priya Raman",
        "",
        date(1984, 11, 2),
        "active",
        "therapist@demo.rapport",
        "ravi.menon@demo.rapport",
        None,
    ),
    ("Tomasz Nowicki", "Tom", date(1977, 6, 30), "assessment", "therapist@demo.rapport", None, None),
    ("Aisha Bello", "", date(2000, 1, 21), "referred", "therapist@demo.rapport", None, None),
    ("Margaret O'Connell", "Peggy", date(1956, 9, 9), "maintenance", "therapist@demo.rapport", None, None),
    (
        "Daniel Kim",
        "",
        date(1995, 12, 5),
        "ended",
        "ravi.menon@demo.rapport",
        None,
        "daniel.kim@demo.rapport",
    ),
    ("Sofia Marquez", "", date(1988, 4, 17), "active", "ravi.menon@demo.rapport", None, None),
    ("Liam Gallagher-Reid", "", date(1969, 8, 1), "active", "ravi.menon@demo.rapport", None, None),
    ("Nadia Haddad", "", date(1993, 2, 27), "active", "grace.tan@demo.rapport", None, None),
    ("Kwame Mensah", "", date(1982, 10, 12), "assessment", "grace.tan@demo.rapport", None, None),
    ("Elena Petrova", "Lena", date(1998, 7, 3), "referred", "grace.tan@demo.rapport", None, None),
    ("Hugo Laurent", "", date(1975, 5, 19), "active", "jonas.berg@demo.rapport", None, None),
    ("Mei Ling Chen", "Mei", date(1990, 3, 8), "ended", "jonas.berg@demo.rapport", None, None),
    (
        "Oliver Brooks",
        "Ollie",
        date(2003, 11, 23),
        "active",
        "jonas.berg@demo.rapport",
        "grace.tan@demo.rapport",
        None,
    ),
]

# Weekly PHQ-9 totals by session (and fortnightly GAD-7), with item 9 where it is not 0:
# responders, a non-responder, a deterioration with a risk answer, a drop-out, remission.
# full name -> (phq9 totals, {session: item 9 answer}, gad7 totals at sessions 1, 3, 5, ...)
MEASURES = {
    "Jordan Ellis": ([19, 17, 15, 12, 11, 9], {}, [14, 11, 9]),
    "Priya Raman": ([16, 17, 16, 18, 17, 16, 17], {}, [12, 12, 13, 12]),
    "Tomasz Nowicki": ([22], {1: 1}, [15]),
    "Margaret O'Connell": ([18, 14, 11, 8, 6, 4, 4, 3], {}, [10, 7, 5, 4]),
    "Daniel Kim": ([15, 12, 10, 9, 7, 6, 5, 5, 4, 4, 3, 3], {}, [11, 8, 6, 5, 4, 4]),
    "Sofia Marquez": ([12, 10, 13, 19], {4: 2}, [9, 13]),
    "Liam Gallagher-Reid": ([20, 18, 16, 14, 13, 12, 11, 10, 9, 9, 8, 7, 7, 6], {}, [13, 11, 10, 9, 8, 7, 7]),
    "Nadia Haddad": ([14, 12, 11], {}, [10, 9]),
    "Hugo Laurent": ([17, 15, 12, 10, 9], {}, [12, 10, 8]),
    "Mei Ling Chen": ([21, 20], {}, [16]),
    "Oliver Brooks": ([11, 9, 8], {}, [8, 7]),
}

# Jordan Ellis's initial phase, for the demo's workspace: moved city for a new job, then low.
# (relationship fields of the protocol's inventory.yaml, by id)
JORDAN_INVENTORY = [
    {
        "person_label": "Sam (partner)",
        "relationship_type": "partner",
        "closeness_ring": "1",
        "current_status": "strained",
        "expectations_reciprocity": "reciprocal",
    },
    {
        "person_label": "Mum",
        "relationship_type": "parent",
        "closeness_ring": "1",
        "current_status": "ongoing",
    },
    {
        "person_label": "Old friends back home",
        "relationship_type": "friend",
        "closeness_ring": "2",
        "current_status": "strained",
    },
    {
        "person_label": "New manager",
        "relationship_type": "colleague_or_boss",
        "closeness_ring": "3",
        "current_status": "ongoing",
    },
]
# weeks before today, what happened, kind, mood
JORDAN_TIMELINE = [
    (30, "Moved to a new city for a job", "move_or_migration", -1),
    (26, "Started the new job", "job_start", -2),
    (12, "Stopped calling old friends", "other", -3),
]
JORDAN_FORMULATION = (
    "Jo's low mood began some months after moving city for a new job, away from friends and family. "
    "We agreed to work on this role transition: mourning what was left behind and building a life here."
)


JORDAN_MESSAGE = (
    "Hi Jo, thank you for today. Before next week, have a go at the conversation we practised, "
    "and jot down anything you want to bring. See you on Thursday. Amara"
)

# Jordan's secure messages with Dr Okafor, oldest first (invented).
JORDAN_THREAD = [
    (
        "client",
        "Hi, is it all right if I bring my partner's work trip up on Thursday? It has been on my mind.",
    ),
    ("clinician", "Of course, Jo. Put it at the top of your notes for the session and we will start there."),
    ("client", "Thanks. I tried the conversation with my manager today. It went better than I feared."),
    (
        "clinician",
        "That is good to hear. Notice what made it go better, and we will look at it together on Thursday.",
    ),
]

# Invented, and in the client's own words as a safety plan should be.
JORDAN_SAFETY_PLAN = {
    "warning_signs": [
        {"text": "Lying awake going over work conversations"},
        {"text": "Cancelling plans with friends two weekends running"},
    ],
    "internal_coping": [
        {"text": "A long walk by the canal with music"},
        {"text": "Cooking something from scratch"},
    ],
    "social_distraction": [{"text": "The Saturday climbing group"}, {"text": "The café on Mill Street"}],
    "people_to_ask_for_help": [
        {"text": "My sister Bea", "phone": "07700 900123"},
        {"text": "My friend Kit", "phone": "07700 900456"},
    ],
    "professionals_and_agencies": [
        {
            "text": "Dr Amara Okafor, Larkfield Wellbeing Service",
            "phone": "0161 496 0000",
            "available_hours": "Mon-Fri 9-5",
        },
        {"text": "Samaritans", "phone": "116 123", "available_hours": "24 hours"},
        {"text": "Emergency services", "phone": "999", "available_hours": "24 hours"},
    ],
    "safe_environment": [{"text": "Bea keeps the spare packets of tablets at her flat"}],
}

# Supervision (invented): the site the teams work from, and one case review of Jordan's course.
SITE = "Larkfield Health Centre"
REVIEW_DISCUSSION = (
    "Reviewed Jordan's initial phase: the inventory is full and a role transition after the move "
    "stands out. Agreed to share the formulation at the next session."
)
REVIEW_ACTION = "Share the written formulation with Jordan and note their response"
