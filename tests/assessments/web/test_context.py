"""The assessment header: context edited in place, dates still editable after submission, conflicts."""

from django.urls import reverse

from assessments import services
from assessments.models import Assessment, Status
from tests.webtools import HTMX


def _data(assessment, **changes):
    data = {
        "title": assessment.title,
        "model_name": assessment.model_name,
        "model_version": "",
        "deployment_channel": "ide",
        "user_population": "",
        "application_domain": "",
        "scope": "",
        "due_date": "",
        "next_review_date": "",
        "version": assessment.version,
    }
    data.update(changes)
    return data


def test_editing_the_context_in_place_returns_the_updated_header(assessment, contributor, client_for):
    client = client_for(contributor)
    form = client.get(reverse("assessment_context_edit", args=[assessment.pk]), headers=HTMX).content.decode()
    assert "Edit the context" in form and "data-editing" in form
    response = client.post(
        reverse("assessment_context_edit", args=[assessment.pk]),
        _data(assessment, model_version="2026.11", due_date="2026-12-24"),
        headers=HTMX,
    )
    assessment.refresh_from_db()
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="assessment-header"')
    assert "version 2026.11" in html and "24 Dec 2026" in html
    assert str(assessment.due_date) == "2026-12-24"


def test_a_stale_context_edit_shows_the_other_change(assessment, contributor, reviewer, client_for):
    seen = _data(assessment, model_name="Mine")
    services.assessment_update(
        assessment_id=assessment.pk, by=reviewer, expected_version=assessment.version, model_name="Theirs"
    )
    html = (
        client_for(contributor)
        .post(reverse("assessment_context_edit", args=[assessment.pk]), seen, headers=HTMX)
        .content.decode()
    )
    assert "Not saved" in html and "Theirs" in html and "Mine" in html
    assert Assessment.objects.get(pk=assessment.pk).model_name == "Theirs"


def test_only_dates_stay_editable_once_submitted(assessment, contributor, client_for):
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.IN_REVIEW)
    client = client_for(contributor)
    form = client.get(reverse("assessment_context_edit", args=[assessment.pk]), headers=HTMX).content.decode()
    assert 'name="due_date"' in form and 'name="model_name"' not in form
    client.post(
        reverse("assessment_context_edit", args=[assessment.pk]),
        {"due_date": "2027-01-15", "next_review_date": "", "version": assessment.version, "model_name": "ignored"},
        headers=HTMX,
    )
    assessment.refresh_from_db()
    assert str(assessment.due_date) == "2027-01-15"
    assert assessment.model_name == "CodeGen-X"


def test_invalid_input_is_shown_in_the_form_and_nothing_changes(assessment, contributor, client_for):
    response = client_for(contributor).post(
        reverse("assessment_context_edit", args=[assessment.pk]),
        _data(assessment, title="", due_date="not a date"),
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_title_error"' in html and 'id="id_due_date_error"' in html
    assert Assessment.objects.get(pk=assessment.pk).title == "IDE assistant rollout"
