"""Model endpoints of a project: owners configure them; the API key is encrypted and never shown again.

The key never appears in an audit event (only that it was set, and when), an export, a webhook, a log
line or an error message; the endpoint package redacts it from the HTTP library's logs too.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import audit, permissions
from assessments.errors import InvalidInput
from assessments.models import Project, Via
from assessments.versioning import check_version, lock, save_versioned
from evaluations import limits
from evaluations.endpoint.secrets import encrypt_secret
from evaluations.endpoint.urls import problem_with
from evaluations.models import ModelEndpoint

OWNERS_ONLY = "Only project owners can configure model endpoints."
FIELDS = ["name", "base_url", "model", "temperature", "samples_per_task", "max_tokens"]
# What the audit trail says instead of the key.
KEY_SET = "(key set)"


def _clean(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    for field, max_length in (
        ("name", limits.ENDPOINT_NAME_MAX),
        ("base_url", limits.BASE_URL_MAX),
        ("model", limits.MODEL_NAME_MAX),
    ):
        if field in changes:
            value = (changes[field] or "").strip()
            changes[field] = value
            if not value:
                errors[field] = ["This field is required."]
            elif len(value) > max_length:
                errors[field] = [f"Keep this under {max_length} characters."]
    if changes.get("base_url") and "base_url" not in errors:
        problem = problem_with(changes["base_url"])
        if problem:
            errors["base_url"] = [problem]
    for field, rule in (
        ("temperature", limits.TEMPERATURE),
        ("samples_per_task", limits.SAMPLES_PER_TASK),
        ("max_tokens", limits.MAX_TOKENS),
    ):
        if field in changes:
            problem = rule.check(changes[field])
            if not problem and field != "temperature" and not isinstance(changes[field], int):
                problem = f"Give {rule.label} as a whole number."
            if problem:
                errors[field] = [problem]
    if errors:
        raise InvalidInput(errors)
    return changes


def _key_fields(api_key: str | None) -> dict:
    if not api_key:
        return {}
    if len(api_key) > limits.API_KEY_MAX:
        raise InvalidInput({"api_key": [f"Keep the key under {limits.API_KEY_MAX} characters."]})
    return {"api_key_encrypted": encrypt_secret(api_key.strip()), "api_key_set_at": timezone.now()}


@transaction.atomic
def endpoint_create(*, project_id: int, by: User, api_key: str = "", via: str = Via.WEB, **fields) -> ModelEndpoint:
    project = Project.objects.get(pk=project_id)
    if not permissions.can_manage(by, project):
        raise PermissionDenied(OWNERS_ONLY)
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    missing = [field for field in ("name", "base_url", "model") if field not in fields]
    if missing:
        raise InvalidInput({field: ["This field is required."] for field in missing})
    values = _clean(dict(fields))
    try:
        with transaction.atomic():
            endpoint = ModelEndpoint.objects.create(project=project, created_by=by, **values, **_key_fields(api_key))
    except IntegrityError:
        raise InvalidInput({"name": [f"This project already has an endpoint named “{values['name']}”."]}) from None
    changes = audit.snapshot_fields(endpoint, list(values))
    if endpoint.api_key_encrypted:
        changes["api_key"] = [None, KEY_SET]
    audit.record(actor=by, via=via, action="endpoint.created", project=project, obj=endpoint, changes=changes)
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint_id: int, by: User, expected_version: int | None, api_key: str = "", via: str = Via.WEB, **changes
) -> ModelEndpoint:
    endpoint = lock(ModelEndpoint, endpoint_id)
    if not permissions.can_manage(by, endpoint.project):
        raise PermissionDenied(OWNERS_ONLY)
    check_version(endpoint, expected_version)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    diff = audit.field_changes(endpoint, _clean(dict(changes)))
    key = _key_fields(api_key)
    if not diff and not key:
        return endpoint
    values = {field: changes[field] for field in diff}
    try:
        with transaction.atomic():
            save_versioned(endpoint, endpoint.version, {**values, **key})
    except IntegrityError:
        raise InvalidInput({"name": [f"This project already has an endpoint named “{changes['name']}”."]}) from None
    if key:
        diff["api_key"] = [KEY_SET if endpoint.api_key_encrypted else None, KEY_SET + " (replaced)"]
    audit.record(actor=by, via=via, action="endpoint.updated", project=endpoint.project, obj=endpoint, changes=diff)
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint_id: int, by: User, expected_version: int | None, via: str = Via.WEB) -> None:
    endpoint = lock(ModelEndpoint, endpoint_id)
    if not permissions.can_manage(by, endpoint.project):
        raise PermissionDenied(OWNERS_ONLY)
    check_version(endpoint, expected_version)
    audit.record(
        actor=by,
        via=via,
        action="endpoint.deleted",
        project=endpoint.project,
        obj=endpoint,
        changes={field: [value, None] for field, (_, value) in audit.snapshot_fields(endpoint, FIELDS).items()},
    )
    endpoint.delete()  # its runs keep their results and model name (the FK is SET_NULL)
