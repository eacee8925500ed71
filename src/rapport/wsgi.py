import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
application = get_wsgi_application()

# Load every view now rather than on the first request, then take what start-up built (modules,
# URL patterns, models) out of the garbage collector's reach: a full collection otherwise walks
# all of it again, 70 to 80 ms in the middle of one request in about two hundred (1.9 ms frozen;
# docs/performance.md).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 (imports every view module)
gc.collect()
gc.freeze()
