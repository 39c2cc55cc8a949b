"""Evidence attachments through the services: types recognised from the bytes, limits, links, the audit trail
and webhooks, no orphan files, the signed snapshot, the diff, tampering found by the verification, revisions."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from assessments import diff, snapshot, verification
from assessments.errors import ContentFrozen, InvalidInput, StorageUnavailable
from assessments.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from assessments.services import workflow as transitions
from hazards import services
from hazards.attachments import storage
from hazards.models import Attachment, MitigationKind
from tests import attachment_files as files
from tests.factories import make_hazard


@pytest.fixture
def scenario(assessment, contributor):
    # Rated low so that the assessment can be submitted without a mitigation.
    return make_hazard(assessment, contributor, residual_likelihood=1, residual_severity=1)


@pytest.fixture
def mitigation(assessment, contributor, scenario):
    return services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Pen-test before release",
        kind=MitigationKind.PROCESS_CONTROL,
        hazard_ids=[scenario.pk],
    )


def upload(django_capture_on_commit_callbacks, *, by, name, data, **target):
    with django_capture_on_commit_callbacks(execute=True):
        return services.attachment_upload(by=by, upload=files.upload(name, data), **target)


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "file_type"),
    [
        ("pen-test.pdf", files.PDF, "pdf"),
        ("screenshot.png", files.PNG, "png"),
        ("photo.JPG", files.JPEG, "jpeg"),
        ("results.csv", files.CSV, "csv"),
        ("findings.json", files.JSON, "json"),
        ("report.md", files.MARKDOWN, "markdown"),
        ("notes.txt", files.MARKDOWN, "text"),
        ("register.xlsx", files.office("xlsx"), "xlsx"),
        ("model-card.docx", files.office("docx"), "docx"),
        ("pytest-report.html", files.HTML, "html"),
    ],
)
def test_a_file_of_an_allowed_type_is_kept_with_its_size_and_sha256(
    name, data, file_type, scenario, contributor, attachment_root, django_capture_on_commit_callbacks
):
    attachment = upload(django_capture_on_commit_callbacks, by=contributor, name=name, data=data, hazard_id=scenario.pk)
    assert (attachment.kind, attachment.name, attachment.file_type) == ("file", name, file_type)
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    stored = attachment_root / storage.name_for(attachment.sha256)
    assert stored.read_bytes() == data


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", files.EXE, "This file is a Windows executable, which is not kept as evidence."),
        ("report.pdf", files.ELF, "This file is a Linux executable"),
        ("chart.png", files.HTML, "content is an HTML report, but its name ends in .png"),
        ("report.pdf", files.PNG, "content is a PNG image, but its name ends in .pdf"),
        ("report.txt", files.HTML, "content is an HTML report, but its name ends in .txt"),
        ("bundle.docx", files.plain_zip(), "This file is a zip archive, which is not kept"),
        ("findings.json", b"{not json", "This file is text, but its name ends in .json (or it is not valid JSON)"),
        ("setup.exe", b"plain words", "This file is text, but its name ends in .exe"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_a_file_is_judged_by_its_bytes_and_an_impostor_is_refused_with_a_clear_message(
    name, data, message, scenario, contributor, attachment_root, django_capture_on_commit_callbacks
):
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        upload(django_capture_on_commit_callbacks, by=contributor, name=name, data=data, hazard_id=scenario.pk)
    assert message in refused.value.errors["file"][0]
    assert not Attachment.objects.exists()
    assert AuditEvent.objects.count() == events
    assert stored_files(attachment_root) == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(
    settings, scenario, contributor, attachment_root, django_capture_on_commit_callbacks
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    data = files.PDF + b"x" * 1000
    with pytest.raises(InvalidInput) as refused:
        upload(django_capture_on_commit_callbacks, by=contributor, name="big.pdf", data=data, hazard_id=scenario.pk)
    assert refused.value.errors["file"] == [
        f"This file is too large ({len(data) / 1024:.1f} KiB): evidence files may be at most 1000 bytes."
    ]
    assert not Attachment.objects.exists()
    assert stored_files(attachment_root) == []


def test_the_allowed_types_come_from_the_settings(settings, scenario, contributor, django_capture_on_commit_callbacks):
    settings.ATTACHMENT_TYPES = ["pdf"]
    with pytest.raises(InvalidInput) as refused:
        upload(django_capture_on_commit_callbacks, by=contributor, name="s.png", data=files.PNG, hazard_id=scenario.pk)
    assert "This file is a PNG image, which is not kept as evidence. Allowed: PDF document (.pdf)." in str(
        refused.value.errors
    )


def test_the_name_keeps_only_its_base_name(scenario, contributor, django_capture_on_commit_callbacks):
    attachment = upload(
        django_capture_on_commit_callbacks,
        by=contributor,
        name="../../etc/passwd\x00.pdf",
        data=files.PDF,
        hazard_id=scenario.pk,
    )
    assert attachment.name == "passwd.pdf"


class FailingStorage(FileSystemStorage):
    """A file store that breaks in the middle of a write (a full disk, an S3 outage)."""

    def _save(self, name, content):
        super()._save(name, ContentFile(b"%PDF-1.4 cut short"))
        raise OSError("No space left on device")


def test_a_store_that_fails_refuses_the_upload_and_keeps_nothing(settings, scenario, contributor, attachment_root):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": f"{__name__}.FailingStorage", "OPTIONS": {"location": str(attachment_root)}},
    }
    with pytest.raises(StorageUnavailable, match="nothing was saved"):
        services.attachment_upload(by=contributor, upload=files.upload("a.pdf", files.PDF), hazard_id=scenario.pk)
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="attachment.created").exists()
    assert stored_files(attachment_root) == []  # the partial write was removed


def test_a_failure_after_the_bytes_are_stored_removes_them(monkeypatch, scenario, contributor, attachment_root):
    class Boom(Exception):
        pass

    def fail(*args, **kwargs):
        raise Boom

    monkeypatch.setattr("hazards.services.attachments._record_created", fail)
    with pytest.raises(Boom):
        services.attachment_upload(by=contributor, upload=files.upload("a.pdf", files.PDF), hazard_id=scenario.pk)
    assert not Attachment.objects.exists()
    assert stored_files(attachment_root) == []


def test_a_write_cut_short_earlier_is_written_again(
    scenario, contributor, attachment_root, django_capture_on_commit_callbacks
):
    sha256 = hashlib.sha256(files.PDF).hexdigest()
    (attachment_root / sha256[:2]).mkdir(parents=True)
    (attachment_root / storage.name_for(sha256)).write_bytes(files.PDF[:10])  # a process killed mid-write
    upload(django_capture_on_commit_callbacks, by=contributor, name="a.pdf", data=files.PDF, hazard_id=scenario.pk)
    assert (attachment_root / storage.name_for(sha256)).read_bytes() == files.PDF


def test_a_link_must_be_http_or_https_and_not_too_long(scenario, contributor):
    link = services.attachment_link(by=contributor, url=" https://ci.example.com/run/42 ", hazard_id=scenario.pk)
    assert (link.kind, link.url, link.name, link.sha256, link.size) == (
        "link",
        "https://ci.example.com/run/42",
        "https://ci.example.com/run/42",
        "",
        None,
    )
    for url, message in [
        ("javascript:alert(1)", "Give an http:// or https:// address with a host name."),
        ("ftp://files.example.com/x", "Give an http:// or https:// address with a host name."),
        ("https://", "Give an http:// or https:// address with a host name."),
        ("https://example.com/a b", "An address cannot contain spaces or control characters."),
        ("https://example.com/" + "a" * 2000, "Keep the address under 2000 characters."),
        ("", "Give the link's address."),
    ]:
        with pytest.raises(InvalidInput) as refused:
            services.attachment_link(by=contributor, url=url, hazard_id=scenario.pk)
        assert refused.value.errors["url"] == [message]
    assert Attachment.objects.count() == 1


def test_adding_and_removing_is_audited_and_sent_as_webhooks_without_the_bytes(
    project, owner, scenario, mitigation, contributor, attachment_root, django_capture_on_commit_callbacks
):
    WebhookEndpoint.objects.create(project=project, url="https://hooks.example.com/x", secret="s" * 32, event_types=[])
    attachment = upload(
        django_capture_on_commit_callbacks, by=contributor, name="pen.pdf", data=files.PDF, mitigation_id=mitigation.pk
    )
    added = AuditEvent.objects.get(action="attachment.created")
    assert (added.object_type, added.object_id, added.object_ref, added.object_version) == (
        "attachment",
        attachment.pk,
        "M-001",
        1,
    )
    assert added.changes == {
        "kind": [None, "file"],
        "name": [None, "pen.pdf"],
        "file_type": [None, "pdf"],
        "size": [None, len(files.PDF)],
        "sha256": [None, hashlib.sha256(files.PDF).hexdigest()],
        "url": [None, ""],
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment_id=attachment.pk, by=contributor)
    removed = AuditEvent.objects.get(action="attachment.deleted")
    assert removed.object_version == 2  # a tombstone outranks every earlier event of the attachment
    assert removed.changes["sha256"] == [hashlib.sha256(files.PDF).hexdigest(), None]
    assert WebhookDelivery.objects.filter(event__in=[added, removed]).count() == 2
    from assessments.webhooks import payload

    body = payload.encode(payload.build(added))
    assert files.PDF not in body and b"%PDF" not in body
    assert stored_files(attachment_root) == []  # no other attachment names those bytes


def test_the_bytes_stay_while_another_attachment_names_them(
    scenario, mitigation, contributor, attachment_root, django_capture_on_commit_callbacks
):
    first = upload(
        django_capture_on_commit_callbacks, by=contributor, name="a.pdf", data=files.PDF, hazard_id=scenario.pk
    )
    upload(
        django_capture_on_commit_callbacks, by=contributor, name="b.pdf", data=files.PDF, mitigation_id=mitigation.pk
    )
    assert len(stored_files(attachment_root)) == 1  # stored once, by content
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment_id=first.pk, by=contributor)
    assert len(stored_files(attachment_root)) == 1


def test_viewers_cannot_attach_and_frozen_assessments_refuse_evidence(
    assessment, scenario, viewer, contributor, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services.attachment_link(by=viewer, url="https://example.com", hazard_id=scenario.pk)
    link = services.attachment_link(by=contributor, url="https://example.com", hazard_id=scenario.pk)
    transitions.assessment_submit(assessment_id=assessment.pk, by=contributor)
    with pytest.raises(ContentFrozen):
        services.attachment_link(by=contributor, url="https://example.com/2", hazard_id=scenario.pk)
    with pytest.raises(ContentFrozen):
        upload(django_capture_on_commit_callbacks, by=contributor, name="a.pdf", data=files.PDF, hazard_id=scenario.pk)
    with pytest.raises(ContentFrozen):
        services.attachment_delete(attachment_id=link.pk, by=contributor)
    assert Attachment.objects.count() == 1


def test_the_snapshot_records_each_attachment_under_its_scenario_or_mitigation(
    assessment, scenario, mitigation, contributor, django_capture_on_commit_callbacks
):
    before = snapshot.build(assessment)[1]
    upload(django_capture_on_commit_callbacks, by=contributor, name="pen.pdf", data=files.PDF, hazard_id=scenario.pk)
    services.attachment_link(
        by=contributor, url="https://ci.example.com/7", title="CI run 7", mitigation_id=mitigation.pk
    )
    content = snapshot.content(assessment)
    assert content["scenarios"][0]["attachments"] == [
        {
            "kind": "file",
            "name": "pen.pdf",
            "type": "pdf",
            "size": len(files.PDF),
            "sha256": hashlib.sha256(files.PDF).hexdigest(),
            "url": None,
        }
    ]
    assert content["mitigations"][0]["attachments"] == [
        {
            "kind": "link",
            "name": "CI run 7",
            "type": None,
            "size": None,
            "sha256": None,
            "url": "https://ci.example.com/7",
        }
    ]
    assert snapshot.build(assessment)[1] != before
    assert snapshot.attachment_hashes(content) == {hashlib.sha256(files.PDF).hexdigest()}


def test_content_without_attachments_keeps_the_hash_it_was_signed_with(assessment, scenario, mitigation):
    content = snapshot.content(assessment)
    assert "attachments" not in content["scenarios"][0]
    assert "attachments" not in content["mitigations"][0]


def test_the_diff_of_two_revisions_shows_evidence_added_removed_and_changed(
    assessment, scenario, mitigation, contributor, approver, django_capture_on_commit_callbacks
):
    kept = upload(
        django_capture_on_commit_callbacks, by=contributor, name="r.csv", data=files.CSV, hazard_id=scenario.pk
    )
    services.attachment_link(by=contributor, url="https://ci.example.com/1", title="CI", mitigation_id=mitigation.pk)
    transitions.assessment_submit(assessment_id=assessment.pk, by=contributor)
    rev1 = transitions.assessment_approve(assessment_id=assessment.pk, by=approver)
    rev2 = transitions.assessment_start_revision(assessment_id=rev1.pk, by=contributor)
    copies = Attachment.objects.filter(assessment=rev2)
    assert sorted(copies.values_list("name", "sha256", "url")) == sorted(
        Attachment.objects.filter(assessment=rev1).values_list("name", "sha256", "url")
    )
    assert diff.diff_assessments(rev1, rev2)["summary"]["has_changes"] is False

    h1 = rev2.scenarios.get(ref="H-001")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment_id=copies.get(name="r.csv").pk, by=contributor)
    upload(
        django_capture_on_commit_callbacks,
        by=contributor,
        name="r.csv",
        data=files.CSV + b"sqli,fail\n",
        hazard_id=h1.pk,
    )
    upload(django_capture_on_commit_callbacks, by=contributor, name="shot.png", data=files.PNG, hazard_id=h1.pk)
    services.attachment_delete(attachment_id=copies.get(name="CI").pk, by=contributor)
    result = diff.diff_assessments(rev1, rev2)

    (change,) = result["scenarios"]["changed"]
    assert [a["name"] for a in change["attachments"]["added"]] == ["shot.png"]
    (pair,) = change["attachments"]["changed"]
    assert (pair["before"]["sha256"], pair["after"]["sha256"]) == (
        kept.sha256,
        hashlib.sha256(files.CSV + b"sqli,fail\n").hexdigest(),
    )
    (mitigation_change,) = result["mitigations"]["changed"]
    assert mitigation_change["attachments"]["removed"][0]["url"] == "https://ci.example.com/1"
    summary = result["summary"]
    assert (summary["attachments_added"], summary["attachments_removed"], summary["attachments_changed"]) == (1, 1, 1)
    # The approved revision still names its own file, whose bytes are kept for it.
    assert verification.assessment_verify(rev1).files[0].intact


def test_the_verification_finds_a_stored_file_whose_bytes_were_changed(
    assessment, scenario, contributor, approver, attachment_root, django_capture_on_commit_callbacks
):
    attachment = upload(
        django_capture_on_commit_callbacks, by=contributor, name="pen.pdf", data=files.PDF, hazard_id=scenario.pk
    )
    transitions.assessment_submit(assessment_id=assessment.pk, by=contributor)
    approved = transitions.assessment_approve(assessment_id=assessment.pk, by=approver)
    check = verification.assessment_verify(approved)
    assert [(f.sha256, f.names, f.intact) for f in check.files] == [(attachment.sha256, ["H-001: pen.pdf"], True)]
    assert check.files_altered is False

    stored = attachment_root / storage.name_for(attachment.sha256)
    stored.write_bytes(files.PDF.replace(b"1.7", b"1.4"))  # someone edits the file behind Hazlog's back
    check = verification.assessment_verify(approved)
    (file,) = check.files
    assert (file.intact, file.recomputed) == (False, hashlib.sha256(files.PDF.replace(b"1.7", b"1.4")).hexdigest())
    assert check.files_altered is True
    assert check.approved.intact  # the snapshot text itself is untouched: only the file's bytes changed
    assert check.as_dict()["files_altered"] is True

    stored.unlink()
    (file,) = verification.assessment_verify(approved).files
    assert (file.intact, file.recomputed) == (False, None)
