"""The installable group-session screen: its service worker and web app manifest, both served from
the site's root so that the worker may answer for the group pages under it."""

from functools import wraps

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rapport.common.access import public

KEEP_HEADER = "Rapport-Offline"  # service-worker.js keeps a page that carries it (and nothing else)


def keep_offline(view):
    """Mark a page the facilitator's device may keep for use with no signal: the screen for a new
    group session (the roster and an empty form). Never a page with recorded scores or notes,
    such as a recorded session's edit screen."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200:
            response[KEEP_HEADER] = "keep"
        return response

    return wrapped


# Public: the worker and the manifest are code and a description, no one's data; the browser
# fetches the manifest without cookies, and the worker again whenever it checks for an update.


@public
@require_GET
def service_worker(request):
    path = finders.find("rapport/service-worker.js")
    with open(path, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@public
@require_GET
def manifest(request):
    return JsonResponse(
        {
            "name": _("Rapport group sessions"),
            "short_name": "Rapport",
            "start_url": reverse("home"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#f6f8fa",
            "theme_color": "#1b2a3a",
            "icons": [{"src": static("rapport/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
    )


# Included from the root (rapport/urls.py): the worker's address decides what it may control.
urlpatterns = [
    path("service-worker.js", service_worker, name="service_worker"),
    path("manifest.webmanifest", manifest, name="web_manifest"),
]
