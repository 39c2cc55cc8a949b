"""Review and sign-off in the browser: the status panel, each transition, approvals bound to content, verify."""

import datetime
import hashlib

from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Status
from assessments.services import workflow
from hazards import services
from tests.factories import make_hazard
from tests.webtools import HTMX


def _panel(client, assessment) -> str:
    return client.get(reverse("status_panel", args=[assessment.pk]), headers=HTMX).content.decode()


def _ready(assessment, by):
    """A submittable register: one fully rated scenario below the sign-off level."""
    return make_hazard(assessment, by, residual_likelihood=1, residual_severity=1)


def test_the_panel_shows_only_the_users_transitions_and_why_one_is_disabled(
    assessment, contributor, viewer, client_for
):
    make_hazard(assessment, contributor, residual_likelihood=5, residual_severity=5)
    html = _panel(client_for(contributor), assessment)
    assert "Submit for review" in html
    assert 'disabled aria-describedby="reason-submit"' in html
    assert "1 scenario at Serious residual risk or above has no mitigation or accepted risk: H-001." in html
    assert "Archive" not in html  # owners only
    viewer_html = _panel(client_for(viewer), assessment)
    assert "Submit for review" not in viewer_html
    assert "Nothing for you to do" in viewer_html


def test_submitting_freezes_the_content_and_notifies_reviewers(assessment, contributor, reviewer, client_for):
    _ready(assessment, contributor)
    response = client_for(contributor).post(
        reverse("assessment_submit", args=[assessment.pk]), {"version": assessment.version}
    )
    assessment.refresh_from_db()
    assert response.status_code == 302
    assert assessment.status == Status.IN_REVIEW and len(assessment.content_hash) == 64
    assert reviewer.notifications.filter(kind="review_requested").exists()


def test_a_refused_submission_explains_why(assessment, contributor, client_for):
    response = client_for(contributor).post(
        reverse("assessment_submit", args=[assessment.pk]), {"version": assessment.version}, follow=True
    )
    assert "Add at least one hazard scenario before submitting." in response.content.decode()
    assert Assessment.objects.get(pk=assessment.pk).status == Status.DRAFT


def test_requesting_changes_needs_a_comment(assessment, contributor, reviewer, client_for):
    _ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assessment.refresh_from_db()
    client = client_for(reviewer)
    empty = client.post(
        reverse("assessment_request_changes", args=[assessment.pk]), {"comment": "", "version": assessment.version}
    )
    assert empty.status_code == 400 and 'id="rc_comment_error"' in empty.content.decode()
    client.post(
        reverse("assessment_request_changes", args=[assessment.pk]),
        {"comment": "Rate H-001 residual again", "version": assessment.version},
    )
    assessment.refresh_from_db()
    assert assessment.status == Status.CHANGES_REQUESTED
    assert contributor.notifications.filter(kind="changes_requested", message__contains="Rate H-001").exists()


def test_approvals_bind_to_the_seen_hash_and_four_eyes_is_explained(
    assessment, contributor, approver, approver2, client_for
):
    assessment.project.required_approvals = 2
    assessment.project.save()
    _ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=approver2)
    assessment.refresh_from_db()
    assert "someone else must approve it (four eyes)" in _panel(client_for(approver2), assessment)
    client = client_for(approver)
    stale = client.post(reverse("assessment_approve", args=[assessment.pk]), {"seen_hash": "0" * 64}, follow=True)
    assert "The content changed since you looked at it" in stale.content.decode()
    client.post(
        reverse("assessment_approve", args=[assessment.pk]), {"seen_hash": assessment.content_hash, "comment": "Fine"}
    )
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW
    panel = _panel(client, assessment)
    assert "1 of 2 approvals" in panel
    assert '<span class="pill counts">counts</span>' in panel
    assert "You have already approved this content." in panel


def test_an_approval_of_other_content_is_shown_as_outdated(assessment, contributor, approver, client_for):
    _ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assessment.refresh_from_db()
    assessment.approvals.create(approver=approver, content_hash="f" * 64, comment="seen before a change")
    panel = _panel(client_for(contributor), assessment)
    assert '<span class="pill outdated"' in panel
    assert "0 of 1 approval" in panel


def test_the_last_approval_freezes_the_revision_and_a_new_one_can_start(assessment, contributor, approver, client_for):
    _ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assessment.refresh_from_db()
    client_for(approver).post(
        reverse("assessment_approve", args=[assessment.pk]), {"seen_hash": assessment.content_hash}
    )
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    response = client_for(contributor).post(reverse("assessment_start_revision", args=[assessment.pk]))
    revision = Assessment.objects.get(lineage=assessment.lineage, revision=2)
    assert response["Location"] == f"/assessments/{revision.pk}/"
    panel = _panel(client_for(contributor), revision)
    assert f'href="/assessments/{assessment.pk}/">Revision 1</a>' in panel


def test_owners_archive_and_the_transition_page_works_without_javascript(assessment, owner, contributor, client_for):
    client = client_for(owner)
    page = client.get(reverse("assessment_archive", args=[assessment.pk]))
    assert page.status_code == 200 and "Archive" in page.content.decode()
    client.post(reverse("assessment_archive", args=[assessment.pk]), {"version": assessment.version})
    assert Assessment.objects.get(pk=assessment.pk).status == Status.ARCHIVED
    refused = client_for(contributor).get(reverse("assessment_submit", args=[assessment.pk]))
    assert "This is not possible while the assessment is archived." in refused.content.decode()


def test_verify_recomputes_the_snapshot_hashes_and_compares_the_current_content(
    assessment, contributor, approver, client_for
):
    scenario = _ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assessment.refresh_from_db()
    client = client_for(approver)
    html = client.get(reverse("snapshot_verify", args=[assessment.pk])).content.decode()
    assert "hash verified" in html
    assert "The content is exactly what was submitted" in html
    stored = assessment.snapshots.get()
    download = client.get(reverse("snapshot_download", args=[assessment.pk, stored.pk]))
    assert hashlib.sha256(download.content).hexdigest() == assessment.content_hash
    # Content changed behind the workflow's back: the page says the approvals no longer match it.
    type(scenario).objects.filter(pk=scenario.pk).update(title="Changed underneath")
    html = client.get(reverse("snapshot_verify", args=[assessment.pk])).content.decode()
    assert "The content changed since it was submitted" in html


def test_revoking_an_acceptance_is_possible_in_review(assessment, contributor, approver, client_for):
    scenario = make_hazard(assessment, contributor, residual_likelihood=5, residual_severity=5)
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk, by=approver, rationale="ok", expires_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    html = client_for(approver).get(reverse("hazard_detail", args=[scenario.pk])).content.decode()
    assert f'action="/acceptances/{acceptance.pk}/revoke/"' in html
    assert "Accept the residual risk" not in html  # granting is content: not while in review
