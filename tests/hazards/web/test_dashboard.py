"""My work: assigned mitigations (overdue first), reviews waiting, notifications and recent activity."""

import datetime

from django.urls import reverse
from django.utils import timezone

from assessments.services import workflow
from hazards import services
from hazards.models import MitigationKind
from tests.factories import make_hazard


def test_my_mitigations_are_listed_earliest_due_first_with_overdue_marked(assessment, contributor, client_for):
    scenario = make_hazard(assessment, contributor)
    today = timezone.localdate()
    for title, days, status in [("Later", 20, "planned"), ("Overdue", -3, "in_progress"), ("Done", -9, "verified")]:
        services.mitigation_create(
            assessment_id=assessment.pk,
            by=contributor,
            title=title,
            kind=MitigationKind.PROCESS_CONTROL,
            hazard_ids=[scenario.pk],
            owner=contributor,
            status=status,
            due_date=today + datetime.timedelta(days=days),
        )
    html = client_for(contributor).get(reverse("home")).content.decode()
    mine = html.split('id="mine-heading"', 1)[1].split("</section>", 1)[0]
    assert mine.index("Overdue") < mine.index("Later")
    assert "Done" not in mine  # verified work is not waiting
    assert 'class="meta overdue">overdue' in mine


def test_reviews_wait_for_reviewers_and_approvers_until_they_have_approved(
    assessment, contributor, approver, client_for
):
    make_hazard(assessment, contributor, residual_likelihood=1, residual_severity=1)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assessment.refresh_from_db()

    def waiting(user) -> bool:
        html = client_for(user).get(reverse("home")).content.decode()
        return "IDE assistant rollout" in html.split('id="reviews-heading"', 1)[1].split("</section>", 1)[0]

    assert waiting(approver)
    assert not waiting(contributor)  # the submitter does not review their own work
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver, seen_hash=assessment.content_hash)
    assert not waiting(approver)


def test_notifications_and_activity_appear_on_my_work(assessment, contributor, reviewer, client_for):
    make_hazard(assessment, contributor, title="Visible in the feed")
    services.comment_create(assessment_id=assessment.pk, by=contributor, body="@bob please look")
    html = client_for(reviewer).get(reverse("home")).content.decode()
    assert "alice mentioned you" in html
    assert "added scenario" in html


def test_an_expired_acceptance_puts_the_scenario_on_the_owners_review_list(assessment, contributor, owner, client_for):
    from hazards.models import RiskAcceptance

    scenario = make_hazard(assessment, contributor, title="Accepted for a while", treatment="accept")
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk,
        by=owner,
        rationale="Pilot only",
        expires_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    html = client_for(owner).get(reverse("home")).content.decode()
    assert "Risk acceptances to decide again" not in html
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    html = client_for(owner).get(reverse("home")).content.decode()
    section = html.split('id="acceptance-reviews-heading"', 1)[1].split("</section>", 1)[0]
    assert "Accepted for a while" in section and "expired" in section
