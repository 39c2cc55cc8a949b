"""The "change matrix" page says what this re-rating did, not what the last recorded one did."""

from django.urls import reverse

from hazards.models import HazardScenario
from tests.factories import make_hazard


def choose(client, assessment, source):
    assessment.refresh_from_db()
    url = reverse("assessment_matrix", args=[assessment.pk])
    response = client.post(url, {"source": source, "version": assessment.version}, follow=True)
    assert response.redirect_chain == [(reverse("assessment_detail", args=[assessment.pk]), 302)]
    return [str(m) for m in response.context["messages"]]


def test_the_message_counts_the_ratings_this_change_cleared(assessment, contributor, owner, client_for):
    make_hazard(assessment, contributor, inherent_likelihood=5, inherent_severity=5)
    make_hazard(assessment, contributor, inherent_likelihood=2, inherent_severity=5)
    messages = choose(client_for(owner), assessment, "mil_std_882e")
    assert messages == [
        "Now rated on MIL-STD-882E (4 severities × 5 probabilities); risk levels were recomputed. "
        "2 ratings outside its scales were cleared."
    ]
    assert not HazardScenario.objects.filter(inherent_severity=5).exists()


def test_choosing_the_current_matrix_again_says_nothing_changed(assessment, contributor, owner, client_for):
    make_hazard(assessment, contributor, inherent_likelihood=5, inherent_severity=5)
    client = client_for(owner)
    choose(client, assessment, "mil_std_882e")
    messages = choose(client, assessment, "mil_std_882e")
    assert messages == ["Already rated on MIL-STD-882E (4 severities × 5 probabilities); nothing was changed."]
