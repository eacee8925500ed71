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
