"""The clinic's records, one module per concept."""

from rapport.clinic.models.alerts import (
    AlertDelivery,
    AlertSource,
    AlertStatus,
    AlertTrigger,
    DeliveryStatus,
    ResolutionAction,
    RiskAlert,
)
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
from rapport.clinic.models.portal import (
    Cadence,
    CheckInDraft,
    CheckInSchedule,
    ClinicMessage,
    Invitation,
    MoodChange,
    Preparation,
    TaskOutcome,
    TaskReport,
)
from rapport.clinic.models.responses import Respondent, Response
from rapport.clinic.models.safety import SafetyPlan, SafetyPlanVersion

__all__ = [
    "AlertDelivery",
    "AlertSource",
    "AlertStatus",
    "AlertTrigger",
    "BreakGlassGrant",
    "Cadence",
    "CheckInDraft",
    "CheckInSchedule",
    "Client",
    "ClientQuerySet",
    "ClientStatus",
    "ClinicMessage",
    "ClinicalRecord",
    "Course",
    "CourseFormat",
    "CourseStatus",
    "DeliveryStatus",
    "EndingReason",
    "Formulation",
    "Goal",
    "InventoryEntry",
    "Invitation",
    "MoodChange",
    "Notification",
    "Preparation",
    "RelapsePreventionPlan",
    "ResolutionAction",
    "Respondent",
    "Response",
    "RiskAlert",
    "SafetyPlan",
    "SafetyPlanVersion",
    "Session",
    "SessionStatus",
    "TaskOutcome",
    "TaskReport",
    "TimelineEvent",
]
