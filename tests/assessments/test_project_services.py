"""Project and membership services: roles, settings, the last owner, stale versions and audit."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from assessments import permissions, services
from assessments.errors import InvalidInput, StaleVersion
from assessments.models import AuditEvent, Membership, Role
from tests.factories import UserFactory


def test_the_creator_of_a_project_becomes_its_owner(db):
    creator = UserFactory(username="creator")
    project = services.project_create(by=creator, name="  Agent pilot  ", matrix_preset="mil_std_882e")
    assert project.name == "Agent pilot"
    assert project.matrix["preset"] == "mil_std_882e"
    assert permissions.role_in(creator, project) == Role.OWNER
    assert AuditEvent.objects.get(action="project.created").actor == creator


def test_project_settings_are_validated_per_field(db):
    creator = UserFactory()
    with pytest.raises(InvalidInput) as excinfo:
        services.project_create(by=creator, name="", required_approvals=0)
    assert set(excinfo.value.errors) == {"name", "required_approvals"}


def test_only_owners_change_settings(project, approver):
    with pytest.raises(PermissionDenied):
        services.project_update(project_id=project.pk, by=approver, expected_version=1, name="Mine now")


def test_settings_change_is_versioned_and_audited(project, owner):
    services.project_update(project_id=project.pk, by=owner, expected_version=1, required_approvals=2)
    with pytest.raises(StaleVersion):
        services.project_update(project_id=project.pk, by=owner, expected_version=1, required_approvals=3)
    project.refresh_from_db()
    assert (project.required_approvals, project.version) == (2, 2)
    assert AuditEvent.objects.get(action="project.updated").changes == {"required_approvals": [1, 2]}


def test_an_edited_matrix_is_validated(project, owner):
    matrix = dict(project.matrix, signoff_level="nope")
    with pytest.raises(InvalidInput) as excinfo:
        services.project_update(project_id=project.pk, by=owner, expected_version=1, matrix=matrix)
    assert "sign-off level" in " ".join(excinfo.value.errors["matrix"])


def test_a_new_assessment_copies_the_matrix_and_later_project_edits_do_not_touch_it(project, owner, contributor):
    assessment = services.assessment_create(project_id=project.pk, by=contributor, title="First")
    services.project_update(project_id=project.pk, by=owner, expected_version=1, matrix_preset="iec_61508")
    assessment.refresh_from_db()
    assert assessment.matrix["preset"] == "default_5x5"


def test_owners_add_change_and_remove_members(project, owner):
    newcomer = UserFactory(username="newcomer")
    membership = services.membership_add(project_id=project.pk, by=owner, user=newcomer, role=Role.VIEWER)
    assert permissions.can_view(newcomer, project)
    services.membership_change_role(membership_id=membership.pk, by=owner, role=Role.REVIEWER, expected_version=1)
    # Roles are cached per user object (one request); a new request loads the user afresh.
    assert permissions.role_in(User.objects.get(pk=newcomer.pk), project) == Role.REVIEWER
    services.membership_remove(membership_id=membership.pk, by=owner)
    assert not permissions.can_view(User.objects.get(pk=newcomer.pk), project)
    actions = list(AuditEvent.objects.filter(object_type="membership").order_by("id").values_list("action", flat=True))
    assert actions == ["membership.created", "membership.updated", "membership.deleted"]


def test_a_member_cannot_be_added_twice(project, owner, viewer):
    with pytest.raises(InvalidInput, match="already a member"):
        services.membership_add(project_id=project.pk, by=owner, user=viewer, role=Role.VIEWER)


def test_the_last_owner_can_be_neither_demoted_nor_removed(project, owner):
    mine = Membership.objects.get(project=project, user=owner)
    with pytest.raises(InvalidInput, match="at least one owner"):
        services.membership_change_role(membership_id=mine.pk, by=owner, role=Role.VIEWER, expected_version=1)
    with pytest.raises(InvalidInput, match="at least one owner"):
        services.membership_remove(membership_id=mine.pk, by=owner)


@pytest.mark.parametrize("user", ["contributor", "reviewer", "approver", "viewer", "outsider"])
def test_only_owners_manage_members(project, user, request):
    actor = request.getfixturevalue(user)
    with pytest.raises(PermissionDenied):
        services.membership_add(project_id=project.pk, by=actor, user=UserFactory(), role=Role.VIEWER)


def test_an_owner_who_steps_down_loses_the_role_within_the_same_request(project, owner, approver):
    services.membership_change_role(
        membership_id=Membership.objects.get(project=project, user=approver).pk,
        by=owner,
        role=Role.OWNER,
        expected_version=1,
    )
    assert permissions.can_manage(owner, project)  # cached on this user object
    mine = Membership.objects.get(project=project, user=owner)
    services.membership_change_role(membership_id=mine.pk, by=owner, role=Role.VIEWER, expected_version=1)
    assert not permissions.can_manage(owner, project)


def test_an_owner_who_leaves_stops_seeing_the_project_within_the_same_request(project, owner, approver):
    services.membership_change_role(
        membership_id=Membership.objects.get(project=project, user=approver).pk,
        by=owner,
        role=Role.OWNER,
        expected_version=1,
    )
    assert permissions.can_view(owner, project)
    services.membership_remove(membership_id=Membership.objects.get(project=project, user=owner).pk, by=owner)
    assert not permissions.can_view(owner, project)
