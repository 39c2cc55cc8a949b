"""Teams' own suites: a HumanEval JSONL checked on upload, stored as parsed, immutable task data."""

import dataclasses

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from assessments import audit, permissions
from assessments.errors import InvalidInput
from assessments.models import Project, Via
from evaluations import limits
from evaluations.models import CustomSuite
from evaluations.suites import humaneval
from evaluations.suites.base import task_set_digest

CONTRIBUTORS_ONLY = "Only contributors, reviewers, approvers and owners can add suites."


@transaction.atomic
def suite_create(
    *, project_id: int, by: User, name: str, description: str = "", data: bytes, via: str = Via.WEB
) -> CustomSuite:
    project = Project.objects.get(pk=project_id)
    if not permissions.can_contribute(by, project):
        raise PermissionDenied(CONTRIBUTORS_ONLY)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput({"name": ["Give the suite a name of at most 100 characters."]})
    if len(data) > limits.TASK_FILE_MAX_BYTES:
        raise InvalidInput({"tasks": [f"The file is larger than {limits.TASK_FILE_MAX_BYTES // (1024 * 1024)} MB."]})
    try:
        tasks = humaneval.parse(data)
    except humaneval.TaskFileError as exc:
        raise InvalidInput({"tasks": exc.problems}) from None
    try:
        with transaction.atomic():
            suite = CustomSuite.objects.create(
                project=project,
                name=name,
                description=(description or "").strip(),
                tasks=[dataclasses.asdict(task) for task in tasks],
                task_count=len(tasks),
                digest=task_set_digest(tasks),
                created_by=by,
            )
    except IntegrityError:
        raise InvalidInput({"name": [f"This project already has a suite named “{name}”."]}) from None
    audit.record(
        actor=by,
        via=via,
        action="suite.created",
        project=project,
        obj=suite,
        changes={"name": [None, name], "tasks": [None, len(tasks)], "digest": [None, suite.digest]},
    )
    return suite
