"""The reference for the write path: bare Django on the same database, installed apps and server.

No middleware, no authentication, no access rules, no scoring, no audit: one view that parses the
JSON body and INSERTs one questionnaire response with the ORM. Rapport's real route does all of
that and more, so its throughput over this one's is what the framework leaves us."""

from rapport.settings import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "bench.reference.urls"
