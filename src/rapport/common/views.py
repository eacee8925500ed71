"""Pages every deployment needs whoever is signed in: the health check, and the answer to a
failure (handler500)."""

import json
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.http import require_GET

from rapport.common.access import public


@public
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# What a caller is told when the database cannot be reached (restarted, connections refused, a
# lock never granted): 503 with Retry-After, so that a client retries (with its Idempotency-Key)
# instead of taking it for a bug. Every other failure stays a 500. The transaction of the request
# was rolled back, so nothing it was writing is half there.
UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def server_error(request):
    """handler500: Django calls it inside the `except` that caught the failure."""
    unavailable = isinstance(sys.exc_info()[1], UNAVAILABLE)
    status = 503 if unavailable else 500
    detail = (
        "The service cannot reach its database just now; nothing was saved. Retry shortly."
        if unavailable
        else "Something went wrong on our side; nothing was saved by this request."
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": detail}, status=status)
    elif request.path.startswith("/fhir/"):
        issue = {
            "severity": "error",
            "code": "transient" if unavailable else "exception",
            "diagnostics": detail,
        }
        body = json.dumps({"resourceType": "OperationOutcome", "issue": [issue]})
        response = HttpResponse(body, status=status, content_type="application/fhir+json")
    else:
        response = HttpResponse(loader.get_template("500.html").render(), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
