"""Evidence in an S3-compatible bucket through django-storages, against a real local S3 server (moto's
standalone server over HTTP): stored after commit under the prefix, downloaded, tampering found, removed."""

import hashlib
import socket

import boto3
import pytest
from django.urls import reverse

from assessments import verification
from assessments.services import workflow
from hazards import services
from hazards.attachments import storage
from tests import attachment_files as files
from tests.factories import make_hazard

BUCKET = "hazlog-evidence"
KEYS = {"access_key": "test-key", "secret_key": "test-secret"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(settings):
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    client.create_bucket(Bucket=BUCKET)
    # The same OPTIONS config/settings.py builds from ATTACHMENT_S3_*.
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "location": "attachments",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": True,
                **KEYS,
            },
        },
    }
    yield client
    server.stop()


def test_evidence_lives_in_the_bucket_and_is_checked_there(
    s3, assessment, contributor, approver, viewer, client, django_capture_on_commit_callbacks
):
    scenario = make_hazard(assessment, contributor, residual_likelihood=1, residual_severity=1)
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_upload(
            by=contributor, upload=files.upload("pen-test.pdf", files.PDF), hazard_id=scenario.pk
        )
    key = f"attachments/{storage.name_for(attachment.sha256)}"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == files.PDF

    client.force_login(viewer)
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF

    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    approved = workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    assert [f.intact for f in verification.assessment_verify(approved).files] == [True]
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"%PDF-1.7 forged")
    (check,) = verification.assessment_verify(approved).files
    assert (check.intact, check.recomputed) == (False, hashlib.sha256(b"%PDF-1.7 forged").hexdigest())
    s3.delete_object(Bucket=BUCKET, Key=key)
    (check,) = verification.assessment_verify(approved).files
    assert (check.intact, check.recomputed) == (False, None)


def test_removing_the_last_attachment_removes_the_object(
    s3, assessment, contributor, django_capture_on_commit_callbacks
):
    scenario = make_hazard(assessment, contributor)
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_upload(
            by=contributor, upload=files.upload("r.csv", files.CSV), hazard_id=scenario.pk
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(attachment_id=attachment.pk, by=contributor)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
