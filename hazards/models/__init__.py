"""Models of the hazards app, one module per sub-domain."""

from hazards.models.attachments import Attachment, AttachmentKind
from hazards.models.catalogue import HazardTemplate
from hazards.models.evidence import EvidenceCitation, EvidenceRelation
from hazards.models.register import (
    AffectedParty,
    Category,
    Consequence,
    HarmType,
    HazardScenario,
    Mitigation,
    MitigationKind,
    MitigationStatus,
    Treatment,
)
from hazards.models.review import Comment, RiskAcceptance

__all__ = [
    "AffectedParty",
    "Attachment",
    "AttachmentKind",
    "Category",
    "Comment",
    "Consequence",
    "EvidenceCitation",
    "EvidenceRelation",
    "HarmType",
    "HazardScenario",
    "HazardTemplate",
    "Mitigation",
    "MitigationKind",
    "MitigationStatus",
    "RiskAcceptance",
    "Treatment",
]
