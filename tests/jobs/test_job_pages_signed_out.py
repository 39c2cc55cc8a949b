"""Export and reminder pages answer a signed-out visitor as every other browser view does: a redirect to
sign in, and for an htmx request (a polled export row) an HX-Redirect instead of a login page swapped in."""

import pytest
from django.urls import reverse

from assessments.models import ExportJob
from tests.webtools import HTMX

CURRENT = {**HTMX, "HX-Current-URL": "http://testserver/assessments/1/exports/"}


def test_a_signed_out_poll_of_an_export_row_is_told_to_sign_in_like_other_fragments(register, contributor, client):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")

    polled = client.get(reverse("export_status", args=[job.pk]), headers=CURRENT)
    other_fragment = client.get(reverse("status_panel", args=[register.pk]), headers=CURRENT)

    assert polled.status_code == other_fragment.status_code == 204
    assert polled["HX-Redirect"] == other_fragment["HX-Redirect"]
    assert polled["HX-Redirect"] == f"{reverse('login')}?next=%2Fassessments%2F1%2Fexports%2F"
    assert polled.content == b""


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("export_panel", "assessment", "get"),
        ("export_request", "assessment", "post"),
        ("export_download", "job", "get"),
        ("reminder_digest", "date", "get"),
        ("profile", None, "get"),
        ("profile", None, "post"),
    ],
)
def test_signed_out_visitors_are_sent_to_sign_in_and_htmx_ones_told_so(
    name, args, method, register, contributor, client
):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    arguments = {"assessment": [register.pk], "job": [job.pk], "date": ["2026-01-05"], None: []}[args]
    url = reverse(name, args=arguments)
    send = getattr(client, method)

    page = send(url, {"format": "json"} if method == "post" else None)
    fragment = send(url, {"format": "json"} if method == "post" else None, headers=CURRENT)

    assert page.status_code == 302 and page["Location"].startswith(f"{reverse('login')}?next=")
    assert fragment.status_code == 204 and fragment["HX-Redirect"].startswith(f"{reverse('login')}?next=")
    assert ExportJob.objects.count() == 1
