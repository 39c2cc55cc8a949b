"""A hazard or mitigation read by id through its precompiled row is the row its scoped list gives, or nothing."""

import pytest

from hazards import sync_selectors
from hazards.rest.serializers import HAZARD_PROJECTION, MITIGATION_PROJECTION
from hazards.rest.views.register import HazardViewSet, MitigationViewSet

CASES = [
    (HazardViewSet, HAZARD_PROJECTION, sync_selectors.hazard_sync_list, "hazard"),
    (MitigationViewSet, MITIGATION_PROJECTION, sync_selectors.mitigation_sync_list, "mitigation"),
]


@pytest.mark.parametrize(("viewset", "projection", "sync_list", "name"), CASES)
def test_the_row_is_the_one_the_list_selector_reads(world, contributor, viewset, projection, sync_list, name):
    pk = getattr(world, name).pk
    expected = list(projection.values(sync_list(user=contributor).filter(pk=pk)))
    assert len(expected) == 1
    assert viewset.row_query.first(contributor.pk, pk) == expected[0]


@pytest.mark.parametrize(("viewset", "projection", "sync_list", "name"), CASES)
def test_nothing_outside_the_callers_projects(world, contributor, outsider, viewset, projection, sync_list, name):
    pk = getattr(world, name).pk
    assert viewset.row_query.first(contributor.pk, pk) is not None  # compiled for one user, then run for another
    assert viewset.row_query.first(outsider.pk, pk) is None


def test_reading_a_hazard_by_id_is_the_token_and_one_row(world, contributor, api_client_for, django_assert_num_queries):
    client = api_client_for(contributor)
    url = f"/api/v1/hazards/{world.hazard.pk}/"
    first = client.get(url)  # the token's last use is written once a minute
    with django_assert_num_queries(2):
        again = client.get(url)
    assert again.status_code == 200 and again.json() == first.json()
    assert client.get("/api/v1/hazards/999999999/").status_code == 404
