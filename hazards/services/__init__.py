"""Every write in the hazards app; callers use `services.<noun>_<verb>(...)`."""

from hazards.services.acceptances import acceptance_grant, acceptance_revoke, acceptances_expire
from hazards.services.attachments import attachment_delete, attachment_link, attachment_upload
from hazards.services.catalogue import catalogue_load, hazards_from_templates
from hazards.services.comments import comment_create
from hazards.services.consequences import consequence_create, consequence_delete, consequence_update
from hazards.services.evidence import citation_create, citation_delete, suggestion_accept
from hazards.services.mitigations import (
    mitigation_create,
    mitigation_delete,
    mitigation_edit,
    mitigation_link,
    mitigation_set_scenarios,
    mitigation_unlink,
    mitigation_update,
)
from hazards.services.scenarios import assessment_set_matrix, hazard_create, hazard_delete, hazard_update

__all__ = [
    "acceptance_grant",
    "acceptance_revoke",
    "acceptances_expire",
    "assessment_set_matrix",
    "attachment_delete",
    "attachment_link",
    "attachment_upload",
    "catalogue_load",
    "citation_create",
    "citation_delete",
    "comment_create",
    "consequence_create",
    "consequence_delete",
    "consequence_update",
    "hazard_create",
    "hazard_delete",
    "hazard_update",
    "hazards_from_templates",
    "mitigation_create",
    "mitigation_delete",
    "mitigation_edit",
    "mitigation_link",
    "mitigation_set_scenarios",
    "mitigation_unlink",
    "mitigation_update",
    "suggestion_accept",
]
