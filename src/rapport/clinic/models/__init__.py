"""The clinic's records, one module per concept."""

from rapport.clinic.models.alerts import AlertStatus, RiskAlert
from rapport.clinic.models.clients import (
    BreakGlassGrant,
    Client,
    ClientQuerySet,
    ClientStatus,
    ClinicalRecord,
    Notification,
)
from rapport.clinic.models.courses import (
    Course,
    CourseFormat,
    CourseStatus,
    EndingReason,
    Session,
    SessionStatus,
)
from rapport.clinic.models.formulation import (
    Formulation,
    Goal,
    InventoryEntry,
    RelapsePreventionPlan,
    TimelineEvent,
)
from rapport.clinic.models.responses import Respondent, Response

__all__ = [
    "AlertStatus",
    "BreakGlassGrant",
    "Client",
    "ClientQuerySet",
    "ClientStatus",
    "ClinicalRecord",
    "Course",
    "CourseFormat",
    "CourseStatus",
    "EndingReason",
    "Formulation",
    "Goal",
    "InventoryEntry",
    "Notification",
    "RelapsePreventionPlan",
    "Respondent",
    "Response",
    "RiskAlert",
    "Session",
    "SessionStatus",
    "TimelineEvent",
]
