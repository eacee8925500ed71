"""Pages every deployment needs whoever is signed in: the health check."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from rapport.common.access import public


@public
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
