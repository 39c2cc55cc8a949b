"""Models of the assessments app, one module per sub-domain."""

from assessments.models.audit import AuditEvent, Via
from assessments.models.integrations import ApiToken, IdempotencyRecord, WebhookDelivery, WebhookEndpoint
from assessments.models.jobs import ExportJob, ImportJob
from assessments.models.notifications import Notification, Profile, ReminderDigest
from assessments.models.projects import (
    ROLE_RANK,
    SPEC_LEVELS,
    Assessment,
    DeploymentChannel,
    Membership,
    Project,
    ReviewPractice,
    Role,
    Status,
    UserExpertise,
)
from assessments.models.signoff import Approval, Snapshot

__all__ = [
    "ROLE_RANK",
    "SPEC_LEVELS",
    "ApiToken",
    "Approval",
    "Assessment",
    "AuditEvent",
    "DeploymentChannel",
    "ExportJob",
    "IdempotencyRecord",
    "ImportJob",
    "Membership",
    "Notification",
    "Profile",
    "Project",
    "ReminderDigest",
    "ReviewPractice",
    "Role",
    "Snapshot",
    "Status",
    "UserExpertise",
    "Via",
    "WebhookDelivery",
    "WebhookEndpoint",
]
