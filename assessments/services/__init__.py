"""Every write in the assessments app; callers use `services.<noun>_<verb>(...)`."""

from assessments.services.assessments import assessment_create, assessment_update
from assessments.services.projects import (
    membership_add,
    membership_change_role,
    membership_remove,
    project_create,
    project_update,
)

__all__ = [
    "assessment_create",
    "assessment_update",
    "membership_add",
    "membership_change_role",
    "membership_remove",
    "project_create",
    "project_update",
]
