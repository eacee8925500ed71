"""`Idempotency-Key` on every API POST: a retry gets the first answer instead of a second record.

One generic mechanism for every route that creates something. The key's row is written in the same
transaction as whatever the request creates, so a record is never committed without it: a caller
whose first try was saved but never acknowledged (a crash, a dropped connection) gets the stored
answer when it retries. Only successful answers are kept (a refused request saved nothing, so a
retry runs again), except the writes that must outlive a refusal (common/kept.py), which run
after the rollback. A key is the caller's own, kept for a day, and refused when reused for a
different request.
"""

import hashlib
import re
from datetime import timedelta

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from rapport.api.auth import user_for_token
from rapport.api.models import IdempotentAnswer
from rapport.common.kept import defer_on, run_deferred

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(days=1)
PREFIX = "/api/"
_VALID_KEY = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")  # as documented in the schema (api/routes.py)


def _caller_id(request) -> int | None:
    """Who is calling, as the API's own authentication will decide (a token first, then the session)."""
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        # The API's own lookup, kept on the request: the API's authentication then reads no token again.
        user = user_for_token(request, auth[7:].strip())
        return user.pk if user is not None else None
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(answer: IdempotentAnswer) -> HttpResponse:
    response = HttpResponse(bytes(answer.body), status=answer.status, content_type=answer.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def _problem(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": {HEADER: [detail]}}, status=status)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if not _VALID_KEY.match(key):
            return _problem("An Idempotency-Key is 1 to 100 letters, digits, dots, dashes or colons.", 422)
        user_id = _caller_id(request)
        if user_id is None:
            return self.get_response(request)  # the API answers 401
        try:
            fingerprint = _fingerprint(request)
        except RequestDataTooBig:
            return _problem("The request body is too large; nothing was saved.", 400)
        IdempotentAnswer.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
        # A refused request is rolled back whole; a write that must outlive the refusal (the
        # alert of a valid risk answer, common/kept.py) waits on the request and runs after.
        defer_on(request)
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        claim = IdempotentAnswer.objects.create(
                            user_id=user_id, key=key, fingerprint=fingerprint
                        )
                except IntegrityError:
                    claim = None  # the key was used before (or by a request that has just committed)
                if claim is not None:
                    response = self.get_response(request)
                    if not 200 <= response.status_code < 300 or response.streaming:
                        transaction.set_rollback(True)  # nothing was saved; a retry runs again
                        return response
                    claim.status = response.status_code
                    claim.content_type = response.get("Content-Type", "")
                    claim.body = response.content
                    claim.save(update_fields=["status", "content_type", "body"])
                    return response
        finally:
            run_deferred(request)
        answer = IdempotentAnswer.objects.filter(user_id=user_id, key=key).first()
        if answer is None or answer.status == 0:
            return _problem("A request with this Idempotency-Key is still being handled; retry.", 409)
        if answer.fingerprint != fingerprint:
            return _problem("This Idempotency-Key was used for a different request.", 422)
        return _replay(answer)
