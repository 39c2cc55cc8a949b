"""The evidence section on scenario and mitigation pages: upload, link, list, download, remove (with htmx and
without), refusals shown in the section, downloads only as attachments, constant queries."""

import hashlib

import pytest
from django.urls import reverse

from hazards import services
from hazards.models import Attachment, MitigationKind
from tests import attachment_files as files
from tests.factories import make_hazard
from tests.webtools import HTMX


@pytest.fixture
def scenario(assessment, contributor):
    return make_hazard(assessment, contributor)


@pytest.fixture
def mitigation(assessment, contributor, scenario):
    return services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Pen-test before release",
        kind=MitigationKind.PROCESS_CONTROL,
        hazard_ids=[scenario.pk],
    )


def post_file(client, url, name, data, *, htmx=False, capture=None):
    with capture(execute=True):
        return client.post(url, {"file": files.upload(name, data)}, headers=HTMX if htmx else {})


def test_the_scenario_page_shows_the_section_with_its_forms_to_contributors(scenario, contributor, client_for):
    page = client_for(contributor).get(reverse("hazard_detail", args=[scenario.pk])).content.decode()
    assert 'id="attachments"' in page
    assert "Evidence files and links" in page
    assert f'action="{reverse("hazard_attachment_upload", args=[scenario.pk])}"' in page
    assert 'enctype="multipart/form-data"' in page
    assert f'action="{reverse("hazard_attachment_link", args=[scenario.pk])}"' in page
    assert "At most 20.0 MiB." in page


def test_a_plain_upload_redirects_to_the_section_and_lists_the_file(
    scenario, contributor, client_for, django_capture_on_commit_callbacks
):
    client = client_for(contributor)
    url = reverse("hazard_attachment_upload", args=[scenario.pk])
    response = post_file(client, url, "pen-test.pdf", files.PDF, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('hazard_detail', args=[scenario.pk])}#attachments"
    page = client.get(response["Location"]).content.decode()
    attachment = Attachment.objects.get()
    assert "pen-test.pdf kept as evidence" in page
    assert f'href="{reverse("attachment_download", args=[attachment.pk])}"' in page
    assert attachment.sha256[:12] in page


def test_an_htmx_upload_answers_with_the_fresh_section(
    scenario, contributor, client_for, django_capture_on_commit_callbacks
):
    url = reverse("hazard_attachment_upload", args=[scenario.pk])
    response = post_file(
        client_for(contributor), url, "r.csv", files.CSV, htmx=True, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("{#") or body.lstrip().startswith('<section id="attachments"')
    assert "r.csv kept as evidence" in body
    assert "<html" not in body


def test_an_impostor_is_refused_in_the_section_and_nothing_is_kept(
    scenario, contributor, client_for, attachment_root, django_capture_on_commit_callbacks
):
    url = reverse("hazard_attachment_upload", args=[scenario.pk])
    response = post_file(
        client_for(contributor), url, "chart.png", files.HTML, htmx=True, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 200  # htmx swaps only 2xx: the error is shown in the section
    assert "content is an HTML report, but its name ends in .png" in response.content.decode()
    assert not Attachment.objects.exists()
    assert not attachment_root.exists() or not any(attachment_root.rglob("*.*"))


def test_an_oversize_upload_is_refused_with_a_message_and_nothing_is_stored(
    settings, scenario, contributor, client_for, attachment_root, django_capture_on_commit_callbacks
):
    settings.ATTACHMENT_MAX_BYTES = 2048
    client = client_for(contributor)
    url = reverse("hazard_attachment_upload", args=[scenario.pk])
    # Just over the limit: read, measured and refused by the service.
    response = post_file(client, url, "big.pdf", files.PDF + b"0" * 2048, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "This file is too large" in page and "at most 2.0 KiB" in page
    # Far over it: refused from the declared length before the file is looked at.
    response = post_file(
        client, url, "huge.pdf", files.PDF + b"0" * 200_000, htmx=True, capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert "This file is too large (195." in response.content.decode()
    assert not Attachment.objects.exists()
    assert not attachment_root.exists() or not any(p.is_file() for p in attachment_root.rglob("*"))


def test_a_link_is_added_and_a_bad_one_is_refused(scenario, contributor, client_for):
    client = client_for(contributor)
    url = reverse("hazard_attachment_link", args=[scenario.pk])
    response = client.post(url, {"url": "javascript:alert(1)", "title": "x"}, headers=HTMX)
    assert "Give an http:// or https:// address with a host name." in response.content.decode()
    response = client.post(url, {"url": "https://ci.example.com/runs/9", "title": "CI run 9"}, headers=HTMX)
    body = response.content.decode()
    assert 'href="https://ci.example.com/runs/9" rel="noopener noreferrer nofollow"' in body
    assert Attachment.objects.get().name == "CI run 9"


def test_a_download_is_an_attachment_with_a_safe_type_and_the_exact_bytes(
    scenario, viewer, contributor, client_for, django_capture_on_commit_callbacks
):
    for name, data in (("pen-test.pdf", files.PDF), ("report.html", files.HTML)):
        with django_capture_on_commit_callbacks(execute=True):
            services.attachment_upload(by=contributor, upload=files.upload(name, data), hazard_id=scenario.pk)
    pdf, html = Attachment.objects.order_by("id")
    client = client_for(viewer)  # viewers may read the evidence
    response = client.get(reverse("attachment_download", args=[pdf.pk]))
    assert response.status_code == 200
    assert response.streaming
    # Read to the end, which closes the file (the test client closes the response then).
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pen-test.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Attachment-SHA256"] == hashlib.sha256(files.PDF).hexdigest()
    response = client.get(reverse("attachment_download", args=[html.pk]))
    assert b"".join(response.streaming_content) == files.HTML
    assert response["Content-Type"] == "application/octet-stream"  # an HTML report is never rendered
    assert response["Content-Disposition"] == 'attachment; filename="report.html"'
    assert "sandbox" in response["Content-Security-Policy"]


def test_a_viewer_sees_the_evidence_but_no_forms(scenario, viewer, contributor, client_for):
    services.attachment_link(by=contributor, url="https://example.com/r", title="Report", hazard_id=scenario.pk)
    page = client_for(viewer).get(reverse("hazard_detail", args=[scenario.pk])).content.decode()
    assert ">Report</a>" in page
    assert reverse("hazard_attachment_upload", args=[scenario.pk]) not in page
    assert reverse("attachment_remove", args=[Attachment.objects.get().pk]) not in page


def test_removing_without_javascript_asks_first(scenario, contributor, client_for):
    link = services.attachment_link(by=contributor, url="https://example.com/r", title="Report", hazard_id=scenario.pk)
    client = client_for(contributor)
    url = reverse("attachment_remove", args=[link.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert "Remove Report?" in response.content.decode()
    assert Attachment.objects.exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert not Attachment.objects.exists()


def test_htmx_removal_confirms_in_the_browser_and_answers_with_the_section(scenario, contributor, client_for):
    link = services.attachment_link(by=contributor, url="https://example.com/r", title="Report", hazard_id=scenario.pk)
    client = client_for(contributor)
    page = client.get(reverse("hazard_detail", args=[scenario.pk])).content.decode()
    assert 'hx-confirm="Remove Report from the evidence?"' in page
    response = client.post(reverse("attachment_remove", args=[link.pk]), {"confirm": "yes"}, headers=HTMX)
    assert response.status_code == 200
    assert "Report removed from the evidence." in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_mitigation_page_has_its_own_evidence(
    mitigation, contributor, client_for, django_capture_on_commit_callbacks
):
    client = client_for(contributor)
    url = reverse("mitigation_attachment_upload", args=[mitigation.pk])
    response = post_file(client, url, "card.docx", files.office("docx"), capture=django_capture_on_commit_callbacks)
    assert response["Location"] == f"{reverse('mitigation_detail', args=[mitigation.pk])}#attachments"
    assert Attachment.objects.get().mitigation_id == mitigation.pk
    page = client.get(response["Location"]).content.decode()
    assert "card.docx" in page


def test_a_frozen_assessment_shows_the_evidence_without_forms_and_refuses_changes(
    assessment, scenario, contributor, client_for
):
    from assessments.services import workflow as transitions

    services.attachment_link(by=contributor, url="https://example.com/r", hazard_id=scenario.pk)
    services.mitigation_create(
        assessment_id=assessment.pk, by=contributor, title="m", kind="process_control", hazard_ids=[scenario.pk]
    )
    transitions.assessment_submit(assessment_id=assessment.pk, by=contributor)
    client = client_for(contributor)
    page = client.get(reverse("hazard_detail", args=[scenario.pk])).content.decode()
    assert reverse("hazard_attachment_link", args=[scenario.pk]) not in page
    response = client.post(reverse("hazard_attachment_link", args=[scenario.pk]), {"url": "https://example.com/2"})
    assert response.status_code == 302
    assert "in review" in client.get(response["Location"]).content.decode()
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("page", ["hazard_detail", "mitigation_detail"])
def test_the_section_costs_the_same_queries_with_one_or_many_attachments(
    page, scenario, mitigation, contributor, client_for, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    target = {"hazard_id": scenario.pk} if page == "hazard_detail" else {"mitigation_id": mitigation.pk}
    url = reverse(page, args=[scenario.pk if page == "hazard_detail" else mitigation.pk])
    client = client_for(contributor)

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    services.attachment_link(by=contributor, url="https://example.com/0", **target)
    one = queries()
    for n in range(8):
        services.attachment_link(by=contributor, url=f"https://example.com/{n + 1}", **target)
        with django_capture_on_commit_callbacks(execute=True):
            services.attachment_upload(
                by=contributor, upload=files.upload(f"r{n}.csv", files.CSV + bytes([65 + n])), **target
            )
    assert queries() == one


def test_the_verify_page_shows_a_file_whose_bytes_changed(
    assessment, scenario, contributor, approver, client_for, attachment_root, django_capture_on_commit_callbacks
):
    from assessments.services import workflow as transitions
    from hazards.attachments import storage

    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.attachment_upload(
            by=contributor, upload=files.upload("pen.pdf", files.PDF), hazard_id=scenario.pk
        )
    services.mitigation_create(
        assessment_id=assessment.pk, by=contributor, title="m", kind="process_control", hazard_ids=[scenario.pk]
    )
    transitions.assessment_submit(assessment_id=assessment.pk, by=contributor)
    transitions.assessment_approve(assessment_id=assessment.pk, by=approver)
    client = client_for(contributor)
    url = reverse("snapshot_verify", args=[assessment.pk])
    page = client.get(url).content.decode()
    assert "bytes verified" in page and "H-001: pen.pdf" in page
    (attachment_root / storage.name_for(attachment.sha256)).write_bytes(b"%PDF-1.7 forged")
    page = client.get(url).content.decode()
    assert "bytes altered" in page
    assert "no longer match the SHA-256 recorded when it was attached" in page
