"""The one way to write to the audit trail."""

from rapport.audit.middleware import client_ip, current_request_id
from rapport.audit.models import Action, AuditEvent, Outcome


def record(
    request,
    action: Action,
    *,
    client=None,  # a Client or its id
    obj=None,
    outcome: Outcome = Outcome.SUCCESS,
    actor=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the change it records."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None) if request is not None else None
    return AuditEvent.objects.create(
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        outcome=outcome,
        client_id=getattr(client, "pk", client),
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        route=(match.view_name if match else "")[:100],
        ip=client_ip(request) if request is not None else None,
        request_id=getattr(request, "id", None) or current_request_id(),
        detail=detail or {},
    )
