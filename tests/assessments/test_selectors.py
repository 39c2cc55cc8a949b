"""Selectors and permission functions: everything is scoped to the user's projects."""

import pytest
from django.http import Http404

from assessments import permissions, selectors
from assessments.models import Membership, Role
from assessments.services import projects as project_services
from hazards import selectors as hazard_selectors
from hazards.selectors import HazardFilters
from tests.factories import make_assessment, make_hazard


def test_an_outsider_sees_none_of_the_project(project, assessment, contributor, outsider, other_project):
    scenario = make_hazard(assessment, contributor)
    assert list(selectors.project_list(user=outsider)) == [other_project]
    assert not selectors.assessment_list(user=outsider).filter(pk=assessment.pk).exists()
    assert not selectors.event_list(user=outsider).filter(project=project).exists()
    with pytest.raises(Http404):
        selectors.project_get(user=outsider, project_id=project.pk)
    with pytest.raises(Http404):
        selectors.assessment_get(user=outsider, assessment_id=assessment.pk)
    with pytest.raises(Http404):
        hazard_selectors.hazard_get(user=outsider, hazard_id=scenario.pk)
    assert not hazard_selectors.hazard_list(user=outsider, assessment=assessment).exists()


def test_malformed_ids_are_404_not_500(project, viewer):
    with pytest.raises(Http404):
        selectors.project_get(user=viewer, project_id="1 OR 1=1")


def test_project_list_carries_the_users_role(project, viewer):
    (listed,) = selectors.project_list(user=viewer)
    assert listed.my_role == "viewer"


@pytest.mark.parametrize(
    ("user", "view", "contribute", "review", "approve", "manage"),
    [
        ("viewer", True, False, False, False, False),
        ("contributor", True, True, False, False, False),
        ("reviewer", True, True, True, False, False),
        ("approver", True, True, True, True, False),
        ("owner", True, True, True, True, True),
        ("outsider", False, False, False, False, False),
    ],
)
def test_each_role_has_exactly_its_capabilities(project, user, view, contribute, review, approve, manage, request):
    actor = request.getfixturevalue(user)
    assert permissions.can_view(actor, project) is view
    assert permissions.can_contribute(actor, project) is contribute
    assert permissions.can_review(actor, project) is review
    assert permissions.can_approve(actor, project) is approve
    assert permissions.can_manage(actor, project) is manage


def test_staff_get_no_implicit_access_to_projects(project, outsider):
    outsider.is_staff = outsider.is_superuser = True
    outsider.save()
    assert not permissions.can_view(outsider, project)


def test_the_register_filters_and_sorts_in_the_database(assessment, contributor, reviewer):
    make_hazard(
        assessment,
        contributor,
        title="Weak crypto",
        category="security",
        inherent_likelihood=5,
        inherent_severity=5,
        residual_likelihood=4,
        residual_severity=4,
        owner=reviewer,
    )
    make_hazard(assessment, contributor, title="Wrong code", category="application_safety")
    listed = hazard_selectors.hazard_list(
        user=contributor, assessment=assessment, filters=HazardFilters(sort="residual", descending=True)
    )
    assert [s.title for s in listed] == ["Weak crypto", "Wrong code"]
    only_high = hazard_selectors.hazard_list(
        user=contributor, assessment=assessment, filters=HazardFilters(risk_level="high")
    )
    assert [s.title for s in only_high] == ["Weak crypto"]
    by_cell = hazard_selectors.hazard_list(
        user=contributor, assessment=assessment, filters=HazardFilters(stage="inherent", likelihood=4, severity=3)
    )
    assert [s.title for s in by_cell] == ["Wrong code"]
    by_owner = hazard_selectors.hazard_list(
        user=contributor, assessment=assessment, filters=HazardFilters(owner=reviewer.pk)
    )
    assert [s.ref for s in by_owner] == ["H-001"]
    by_text = hazard_selectors.hazard_list(user=contributor, assessment=assessment, filters=HazardFilters(q="crypto"))
    assert [s.ref for s in by_text] == ["H-001"]


def test_the_register_query_count_does_not_grow_with_rows(assessment, contributor, django_assert_num_queries):
    def count_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            rows = list(hazard_selectors.hazard_list(user=contributor, assessment=assessment))
            for row in rows:
                _ = (row.owner, row.mitigation_count, row.done_mitigations)
        return len(ctx.captured_queries)

    make_hazard(assessment, contributor, owner=contributor)
    small = count_queries()
    for _ in range(15):
        make_hazard(assessment, contributor, owner=contributor)
    assert count_queries() == small == 1


def test_revisions_of_one_assessment_are_listed_together(project, assessment, contributor):
    make_assessment(project, contributor, title="Unrelated")
    assert list(selectors.assessment_revisions(user=contributor, assessment=assessment)) == [assessment]


def test_project_list_counts_every_member_and_assessment_not_just_the_viewers_row(project, assessment, viewer):
    make_assessment(project, viewer.memberships.get().project.memberships.get(role="contributor").user, title="2nd")
    (listed,) = selectors.project_list(user=viewer)
    assert (listed.member_count, listed.assessment_count, listed.my_role) == (6, 2, "viewer")


def test_reading_an_assessment_brings_the_users_role_so_its_checks_need_no_query(
    assessment, contributor, other_project, django_assert_num_queries
):
    permissions.forget_roles(contributor)  # a fresh request's user object: nothing known yet
    with django_assert_num_queries(1):
        found = selectors.assessment_get(user=contributor, assessment_id=assessment.pk)
        assert permissions.can_contribute(contributor, found.project)
        assert not permissions.can_manage(contributor, found.project)
    # Another project's role is not guessed from it: the full membership read answers.
    with django_assert_num_queries(1):
        assert not permissions.can_view(contributor, other_project)


def test_forget_roles_drops_the_role_read_with_the_assessment_too(assessment, owner, contributor):
    found = selectors.assessment_get(user=contributor, assessment_id=assessment.pk)
    assert permissions.can_contribute(contributor, found.project)
    membership = Membership.objects.get(project=assessment.project, user=contributor)
    project_services.membership_change_role(
        membership_id=membership.pk, by=owner, role=Role.VIEWER, expected_version=membership.version
    )
    assert permissions.can_contribute(contributor, found.project)  # this request's object still remembers
    permissions.forget_roles(contributor)  # as the membership services do for the user objects they are given
    assert not permissions.can_contribute(contributor, found.project)
    assert permissions.can_view(contributor, found.project)
