import json

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone

from rapport.clinic.models import Response


def record(request, client_id: int, course_id: int, user_id: int):
    """One INSERT of a row equivalent to what the real route stores (its computed fields empty)."""
    if request.method != "POST":
        return JsonResponse({"detail": "POST only"}, status=405)
    body = json.loads(request.body)
    # bulk_create: the one INSERT and nothing else. Response.objects.create() would also send
    # post_save, and Rapport's receiver rewrites the course's programme summary (#12), which is
    # Rapport's work, not the framework's: the reference did it from #12 until 2026-12-07.
    (response,) = Response.objects.bulk_create(
        [
            Response(
                client_id=client_id,
                course_id=course_id,
                session_number=body.get("session_number"),
                instrument=body["instrument"],
                instrument_version="1.0",
                answered_by_id=user_id,
                respondent="clinician",
                answered_at=timezone.now(),
                answers=body["answers"],
                complete=False,
            )
        ]
    )
    return JsonResponse({"id": response.pk}, status=201)


urlpatterns = [path("reference/<int:client_id>/<int:course_id>/<int:user_id>", record)]
