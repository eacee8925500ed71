"""The one way to write to the audit trail."""

from rapport.audit.middleware import client_ip, current_request_id
from rapport.audit.models import Action, AuditEvent, Outcome


def _context(request, actor):
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    match = getattr(request, "resolver_match", None) if request is not None else None
    return {
        "actor": actor,
        "actor_role": getattr(actor, "role", "") or "",
        "route": (match.view_name if match else "")[:100],
        "ip": client_ip(request) if request is not None else None,
        "request_id": getattr(request, "id", None) or current_request_id(),
    }


def record(
    request,
    action: Action,
    *,
    client=None,  # a Client or its id
    obj=None,
    object_type: str = "",  # what was read when it is not obj's own class (a course's formulation)
    outcome: Outcome = Outcome.SUCCESS,
    actor=None,
    detail: dict | None = None,
) -> AuditEvent:
    """Write one audit row. Call it inside the transaction of the change it records."""
    if object_type and obj is not None and type(obj).__name__ != object_type:
        # A view of part of a record, named as what was seen: "Formulation", of course 12.
        detail = {**(detail or {}), "of": type(obj).__name__}
    return AuditEvent.objects.create(
        action=action,
        outcome=outcome,
        client_id=getattr(client, "pk", client),
        object_type=object_type or (type(obj).__name__ if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        **_context(request, actor),
    )


def record_each(request, action: Action, clients, *, detail: dict | None = None) -> None:
    """One row per client, e.g. for an export, so that each client's own trail shows it."""
    context = _context(request, None)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=action,
            client_id=c.pk,
            object_type="Client",
            object_id=str(c.pk),
            detail=detail or {},
            **context,
        )
        for c in clients
    )
