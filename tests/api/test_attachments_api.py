"""The attachments API: multipart uploads and JSON links, filters, ETags, If-Match on removal, idempotent
creates (a different file under the same key is refused), downloads as attachments, the webhook payload."""

import hashlib

import pytest
from django.core.files.base import ContentFile

from assessments.models import AuditEvent, WebhookDelivery
from assessments.webhooks import payload
from hazards import services
from hazards.attachments import storage
from hazards.models import Attachment
from tests import attachment_files as files

URL = "/api/v1/attachments/"


def post_file(client, capture, name, data, *, key=None, **fields):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    with capture(execute=True):
        return client.post(URL, {"file": files.upload(name, data), **fields}, format="multipart", **headers)


def test_a_multipart_upload_creates_a_file_attachment_with_its_etag(
    world, contributor, api_client_for, attachment_root, django_capture_on_commit_callbacks
):
    response = post_file(
        api_client_for(contributor), django_capture_on_commit_callbacks, "pen.pdf", files.PDF, hazard=world.hazard.pk
    )
    assert response.status_code == 201, response.content
    body = response.json()
    attachment = Attachment.objects.get()
    assert response["ETag"] == f'"{attachment.pk}-1"'
    assert body == {
        "id": attachment.pk,
        "kind": "file",
        "name": "pen.pdf",
        "url": None,
        "file_type": "pdf",
        "content_type": "application/pdf",
        "size": len(files.PDF),
        "sha256": hashlib.sha256(files.PDF).hexdigest(),
        "download_url": f"/api/v1/attachments/{attachment.pk}/download/",
        "hazard": world.hazard.pk,
        "hazard_ref": world.hazard.ref,
        "mitigation": None,
        "mitigation_ref": None,
        "assessment": world.assessment.pk,
        "project": world.project.pk,
        "created_by": "alice",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "version": 1,
    }
    assert (attachment_root / storage.name_for(attachment.sha256)).read_bytes() == files.PDF
    assert AuditEvent.objects.filter(action="attachment.created", via="api").count() == 1


def test_a_json_link_attaches_to_a_mitigation(world, contributor, api_client_for):
    response = api_client_for(contributor).post(
        URL, {"mitigation": world.mitigation.pk, "url": "https://jira.example.com/SEC-1"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "link"
    assert response.json()["mitigation_ref"] == world.mitigation.ref
    assert response.json()["download_url"] is None
    assert [response.json()[f] for f in ("url", "file_type", "content_type", "size", "sha256")] == [
        "https://jira.example.com/SEC-1",
        None,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"url": "https://example.com"}, {"non_field_errors": ["Give exactly one of hazard and mitigation."]}),
        ({"hazard": 10**12, "url": "https://example.com"}, {"hazard": ["No such hazard."]}),
        ({"hazard": "HAZ", "url": "https://example.com"}, {"hazard": ["Give the id of a hazard."]}),
        ({"url": "file:///etc/passwd", "hazard": None}, None),
    ],
)
def test_bad_link_bodies_get_the_error_shape_and_change_nothing(body, errors, world, contributor, api_client_for):
    if body.get("hazard", 0) is None:
        body["hazard"] = world.hazard.pk
        errors = {"url": ["Give an http:// or https:// address with a host name."]}
    events = AuditEvent.objects.count()
    response = api_client_for(contributor).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert AuditEvent.objects.count() == events
    assert not Attachment.objects.exists()


def test_an_impostor_file_is_refused_with_the_reason(
    world, contributor, api_client_for, attachment_root, django_capture_on_commit_callbacks
):
    response = post_file(
        api_client_for(contributor), django_capture_on_commit_callbacks, "x.pdf", files.EXE, hazard=world.hazard.pk
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0].startswith("This file is a Windows executable")
    assert not Attachment.objects.exists()
    assert not attachment_root.exists()


def test_a_store_that_fails_answers_503_and_keeps_nothing(
    settings, world, contributor, api_client_for, attachment_root, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "tests.hazards.test_attachments.FailingStorage",
            "OPTIONS": {"location": str(attachment_root)},
        },
    }
    response = post_file(
        api_client_for(contributor), django_capture_on_commit_callbacks, "pen.pdf", files.PDF, hazard=world.hazard.pk
    )
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["code"] == "storage_unavailable" and "nothing was saved" in response.json()["detail"]
    assert not Attachment.objects.exists()


def test_an_upload_declared_far_over_the_limit_is_refused_before_it_is_read(
    settings, world, contributor, api_client_for, django_capture_on_commit_callbacks
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = post_file(
        api_client_for(contributor),
        django_capture_on_commit_callbacks,
        "big.pdf",
        files.PDF + b"0" * 100_000,
        hazard=world.hazard.pk,
    )
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0].startswith("This file is too large (97.")
    assert not Attachment.objects.exists()


def test_viewers_may_not_upload_and_outsiders_cannot_name_the_hazard(
    world, viewer, outsider, api_client_for, django_capture_on_commit_callbacks
):
    refused = post_file(
        api_client_for(viewer), django_capture_on_commit_callbacks, "a.pdf", files.PDF, hazard=world.hazard.pk
    )
    assert refused.status_code == 403
    hidden = post_file(
        api_client_for(outsider), django_capture_on_commit_callbacks, "a.pdf", files.PDF, hazard=world.hazard.pk
    )
    assert hidden.status_code == 400
    assert hidden.json()["errors"] == {"hazard": ["No such hazard."]}
    assert not Attachment.objects.exists()


def test_the_list_filters_by_hazard_mitigation_and_kind(world, contributor, api_client_for):
    on_hazard = services.attachment_link(by=contributor, url="https://example.com/1", hazard_id=world.hazard.pk)
    on_mitigation = services.attachment_link(
        by=contributor, url="https://example.com/2", mitigation_id=world.mitigation.pk
    )
    client = api_client_for(contributor)

    def ids(query: str) -> list[int]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert ids(f"hazard={world.hazard.pk}") == [on_hazard.pk]
    assert ids(f"mitigation={world.mitigation.pk}") == [on_mitigation.pk]
    assert sorted(ids(f"assessment={world.assessment.pk}&kind=link")) == sorted([on_hazard.pk, on_mitigation.pk])
    assert ids("kind=file") == []
    assert client.get(f"{URL}?kind=exe").status_code == 400


def test_the_list_takes_the_same_queries_for_one_or_many(
    world, contributor, api_client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client_for(contributor)
    services.attachment_link(by=contributor, url="https://example.com/0", hazard_id=world.hazard.pk)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for n in range(10):
        services.attachment_link(by=contributor, url=f"https://example.com/{n + 1}", mitigation_id=world.mitigation.pk)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(URL).json()["results"]) == 11
    assert len(many) == len(one)


def test_retrieve_honours_if_none_match_and_a_stale_if_match_refuses_removal(world, contributor, api_client_for):
    link = services.attachment_link(by=contributor, url="https://example.com/1", hazard_id=world.hazard.pk)
    client = api_client_for(contributor)
    read = client.get(f"{URL}{link.pk}/")
    assert read["ETag"] == f'"{link.pk}-1"'
    assert client.get(f"{URL}{link.pk}/", HTTP_IF_NONE_MATCH=read["ETag"]).status_code == 304
    stale = client.delete(f"{URL}{link.pk}/", HTTP_IF_MATCH=f'"{link.pk}-2"')
    assert stale.status_code == 412
    assert Attachment.objects.filter(pk=link.pk).exists()
    assert client.delete(f"{URL}{link.pk}/", HTTP_IF_MATCH=read["ETag"]).status_code == 204
    assert not Attachment.objects.exists()
    removed = AuditEvent.objects.get(action="attachment.deleted")
    assert (removed.via, removed.object_version) == ("api", 2)


def test_a_retried_upload_creates_once_and_another_file_under_the_same_key_is_refused(
    world, contributor, api_client_for, django_capture_on_commit_callbacks
):
    client = api_client_for(contributor)
    first = post_file(
        client, django_capture_on_commit_callbacks, "r.csv", files.CSV, key="up-1", hazard=world.hazard.pk
    )
    again = post_file(
        client, django_capture_on_commit_callbacks, "r.csv", files.CSV, key="up-1", hazard=world.hazard.pk
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = post_file(
        client, django_capture_on_commit_callbacks, "r.csv", files.CSV + b"x,y\n", key="up-1", hazard=world.hazard.pk
    )
    assert other.status_code == 422
    assert Attachment.objects.count() == 1


def test_a_download_streams_the_bytes_as_an_attachment_to_any_member_and_404s_for_others(
    world, viewer, outsider, contributor, api_client_for
):
    attachment = services.attachment_link(by=contributor, url="https://example.com/1", hazard_id=world.hazard.pk)
    link_download = api_client_for(viewer).get(f"{URL}{attachment.pk}/download/")
    assert link_download.status_code == 404
    assert link_download.json()["detail"] == "A link has no file to download."

    with_file = services.attachment_upload(
        by=contributor, upload=files.upload("shot.png", files.PNG), hazard_id=world.hazard.pk
    )
    # Written directly: the service writes after commit, which the test's transaction never does.
    storage.backend().save(storage.name_for(with_file.sha256), ContentFile(files.PNG))
    response = api_client_for(viewer).get(f"{URL}{with_file.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="shot.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Attachment-SHA256"] == with_file.sha256
    hidden = api_client_for(outsider).get(f"{URL}{with_file.pk}/download/")
    assert hidden.status_code == 404
    assert set(hidden.json()) >= {"detail", "code"}


def test_the_webhook_payload_names_the_file_but_never_carries_it(
    world, contributor, api_client_for, django_capture_on_commit_callbacks
):
    post_file(
        api_client_for(contributor), django_capture_on_commit_callbacks, "pen.pdf", files.PDF, hazard=world.hazard.pk
    )
    event = AuditEvent.objects.get(action="attachment.created")
    assert WebhookDelivery.objects.filter(event=event, endpoint=world.webhook).exists()
    body = payload.build(event)
    assert body["type"] == "attachment.created"
    assert body["object"]["type"] == "attachment"
    assert body["data"]["sha256"] == hashlib.sha256(files.PDF).hexdigest()
    assert b"%PDF" not in payload.encode(body)
