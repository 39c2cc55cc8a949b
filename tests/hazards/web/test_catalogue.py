"""Adding scenarios from the code-synthesis hazard catalogue, several at once."""

from django.urls import reverse

from hazards.models import HazardScenario
from tests.webtools import HTMX


def test_the_catalogue_is_browsed_by_area_and_searched(catalogue, contributor, client_for):
    client = client_for(contributor)
    security = client.get(reverse("catalogue"), {"area": "security"}).content.decode()
    assert "SEC-01" in security and "APP-01" not in security
    found = client.get(reverse("catalogue"), {"q": "slopsquatting"}, headers=HTMX).content.decode()
    assert found.lstrip().startswith('<div id="catalogue-results">')
    assert "1 template" in found


def test_several_templates_are_added_with_their_consequences_and_mitigations(
    catalogue, assessment, contributor, client_for
):
    client = client_for(contributor)
    page = client.get(reverse("catalogue"), {"assessment": assessment.pk}).content.decode()
    assert 'name="templates" value="SEC-01"' in page
    response = client.post(reverse("catalogue_add", args=[assessment.pk]), {"templates": ["SEC-01", "APP-01"]})
    scenarios = list(HazardScenario.objects.filter(assessment=assessment).order_by("number"))
    assert response.status_code == 302
    assert [s.source_template.key for s in scenarios] == ["SEC-01", "APP-01"]
    assert all(s.consequences.exists() and s.mitigations.exists() for s in scenarios)
    page = client.get(reverse("catalogue"), {"assessment": assessment.pk}).content.decode()
    assert "already in this assessment" in page


def test_adding_nothing_says_so(catalogue, assessment, contributor, client_for):
    response = client_for(contributor).post(reverse("catalogue_add", args=[assessment.pk]), {}, follow=True)
    assert "Choose at least one template." in response.content.decode()
    assert not HazardScenario.objects.exists()


def test_a_frozen_assessment_can_be_browsed_but_not_added_to(catalogue, assessment, contributor, client_for):
    type(assessment).objects.filter(pk=assessment.pk).update(status="in_review")
    html = client_for(contributor).get(reverse("catalogue"), {"assessment": assessment.pk}).content.decode()
    assert 'name="templates"' not in html
    assert "browse only" in html
