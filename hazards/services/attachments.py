"""Adding and removing evidence files and links on scenarios and mitigations, audited and announced.

Attachments are signed content (the snapshot lists them), so they change only while the assessment is
editable and only by those who may edit the register, like every other content write (common.lock_for_content).
The audit event and the webhook carry what identifies the evidence (name, type, size, SHA-256, URL), never
its bytes.
"""

from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction

from assessments import audit
from assessments.errors import InvalidInput
from assessments.models import Assessment, Via
from assessments.versioning import check_version, lock
from hazards.attachments import content, limits, storage
from hazards.models import Attachment, AttachmentKind, HazardScenario, Mitigation
from hazards.services.common import lock_for_content

AUDITED_FIELDS = ["kind", "name", "file_type", "size", "sha256", "url"]


def _target_locked(hazard_id: int | None, mitigation_id: int | None, by: User) -> tuple[dict, Assessment, str]:
    """({scenario: …} or {mitigation: …}, the locked assessment, the target's ref)."""
    if (hazard_id is None) == (mitigation_id is None):
        raise InvalidInput({"__all__": ["Attach evidence to exactly one scenario or one mitigation."]})
    model, pk, field = (
        (HazardScenario, hazard_id, "scenario") if hazard_id is not None else (Mitigation, mitigation_id, "mitigation")
    )
    assessment_id = model.objects.values_list("assessment_id", flat=True).get(pk=pk)
    assessment = lock_for_content(assessment_id, by)
    target = lock(model, pk)
    return {field: target}, assessment, target.ref


def _record(attachment: Attachment, *, action: str, by: User, via: str, assessment: Assessment, ref: str, changes):
    audit.record(
        actor=by,
        via=via,
        action=action,
        project=assessment.project,
        assessment=assessment,
        obj=attachment,
        object_ref=ref,
        changes=changes,
    )


def _record_created(attachment: Attachment, *, by: User, via: str, assessment: Assessment, ref: str) -> None:
    changes = audit.snapshot_fields(attachment, AUDITED_FIELDS)
    _record(attachment, action="attachment.created", by=by, via=via, assessment=assessment, ref=ref, changes=changes)


def attachment_upload(
    *, by: User, upload, hazard_id: int | None = None, mitigation_id: int | None = None, via: str = Via.WEB
) -> Attachment:
    """Keep an uploaded file as evidence. `upload` is a Django UploadedFile (or any file with a name).

    The bytes are stored before the row commits (hazards.attachments.storage); if anything after that fails,
    the bytes this call wrote are removed again, so a refused upload leaves nothing behind."""
    written: list[str] = []
    try:
        return _upload(by=by, upload=upload, target_ids=(hazard_id, mitigation_id), via=via, written=written)
    except BaseException:
        for sha256 in written:
            storage.discard_unreferenced(sha256)
        raise


@transaction.atomic
def _upload(*, by: User, upload, target_ids: tuple, via: str, written: list[str]) -> Attachment:
    target, assessment, ref = _target_locked(*target_ids, by)
    copy = storage.spool()
    try:
        name = content.clean_name(getattr(upload, "name", ""))
        inspected = content.inspect(upload, name=name, copy_to=copy)
    except content.Refused as exc:
        copy.close()
        raise InvalidInput({"file": [str(exc)]}) from None
    attachment = Attachment.objects.create(
        assessment=assessment,
        kind=AttachmentKind.FILE,
        name=name,
        file_type=inspected.file_type.key,
        size=inspected.size,
        sha256=inspected.sha256,
        created_by=by,
        **target,
    )
    if storage.store(copy, inspected.sha256, inspected.size):
        written.append(inspected.sha256)
    _record_created(attachment, by=by, via=via, assessment=assessment, ref=ref)
    return attachment


def clean_link(url: str, title: str) -> tuple[str, str]:
    """(url, name) of a link, or InvalidInput; the checks shared by the form, the serializer and the service."""
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    title = " ".join((title or "").split())
    if not url:
        errors["url"] = ["Give the link's address."]
    elif len(url) > limits.URL_MAX:
        errors["url"] = [f"Keep the address under {limits.URL_MAX} characters."]
    else:
        try:
            parts = urlsplit(url)
        except ValueError:
            parts = None
        if parts is None or parts.scheme.lower() not in limits.LINK_SCHEMES or not parts.hostname:
            errors["url"] = ["Give an http:// or https:// address with a host name."]
        elif any(ch.isspace() or not ch.isprintable() for ch in url):
            errors["url"] = ["An address cannot contain spaces or control characters."]
    if len(title) > limits.NAME_MAX:
        errors["title"] = [f"Keep the title under {limits.NAME_MAX} characters."]
    if errors:
        raise InvalidInput(errors)
    return url, title or url[: limits.NAME_MAX]


@transaction.atomic
def attachment_link(
    *,
    by: User,
    url: str,
    title: str = "",
    hazard_id: int | None = None,
    mitigation_id: int | None = None,
    via: str = Via.WEB,
) -> Attachment:
    target, assessment, ref = _target_locked(hazard_id, mitigation_id, by)
    url, name = clean_link(url, title)
    attachment = Attachment.objects.create(
        assessment=assessment, kind=AttachmentKind.LINK, name=name, url=url, created_by=by, **target
    )
    _record_created(attachment, by=by, via=via, assessment=assessment, ref=ref)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment_id: int, by: User, expected_version: int | None = None, via: str = Via.WEB) -> None:
    attachment = Attachment.objects.get(pk=attachment_id)
    _, assessment, ref = _target_locked(attachment.scenario_id, attachment.mitigation_id, by)
    attachment = lock(Attachment, attachment_id)
    check_version(attachment, expected_version)
    _record(
        attachment,
        action="attachment.deleted",
        by=by,
        via=via,
        assessment=assessment,
        ref=ref,
        changes={f: [v, None] for f, (_, v) in audit.snapshot_fields(attachment, AUDITED_FIELDS).items()},
    )
    sha256 = attachment.sha256
    attachment.delete()
    if sha256:
        storage.discard_on_commit(sha256)
