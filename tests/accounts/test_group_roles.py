"""Project roles from the identity provider's groups: added at each sign-in, removed only where the map made them."""

import pytest

from accounts.models import GroupRoleGrant
from accounts.services.group_roles import group_roles_apply
from assessments.models import AuditEvent, Membership, Role
from tests.factories import ProjectFactory, UserFactory, add_member

MAP = "idp-acme-owners=acme:owner,idp-acme-viewers=acme:viewer,idp-beta=beta:contributor"


@pytest.fixture
def mapped(settings, db):
    settings.OIDC_GROUP_ROLE_MAP = MAP
    return {"acme": ProjectFactory(name="Acme"), "beta": ProjectFactory(name="Beta")}


@pytest.fixture
def sso_user(db):
    return UserFactory(username="sandra")


def _roles(user):
    return dict(Membership.objects.filter(user=user).values_list("project__name", "role"))


def test_groups_give_their_roles_and_the_highest_wins_when_two_name_one_project(mapped, sso_user):
    group_roles_apply(user=sso_user, groups=["idp-acme-viewers", "idp-acme-owners", "idp-beta", "other"])
    assert _roles(sso_user) == {"Acme": Role.OWNER, "Beta": Role.CONTRIBUTOR}
    assert GroupRoleGrant.objects.get(membership__project=mapped["acme"]).group == "idp-acme-owners"
    created = AuditEvent.objects.filter(action="membership.created", actor=sso_user)
    assert sorted(created.values_list("project__name", flat=True)) == ["Acme", "Beta"]


def test_a_group_that_disappears_takes_its_role_away(mapped, sso_user, owner):
    add_member(mapped["acme"], owner, Role.OWNER)
    group_roles_apply(user=sso_user, groups=["idp-acme-owners", "idp-beta"])
    group_roles_apply(user=sso_user, groups=["idp-beta"])
    assert _roles(sso_user) == {"Beta": Role.CONTRIBUTOR}
    assert AuditEvent.objects.filter(action="membership.deleted", project=mapped["acme"]).count() == 1


def test_a_changed_group_changes_the_role_it_gave(mapped, sso_user):
    group_roles_apply(user=sso_user, groups=["idp-acme-owners"])
    group_roles_apply(user=sso_user, groups=["idp-acme-viewers"])
    assert _roles(sso_user) == {"Acme": Role.VIEWER}
    event = AuditEvent.objects.get(action="membership.updated")
    assert event.changes == {"role": ["owner", "viewer"]}


def test_a_membership_added_by_hand_is_never_changed_or_removed_by_the_map(mapped, sso_user):
    add_member(mapped["acme"], sso_user, Role.APPROVER)
    group_roles_apply(user=sso_user, groups=["idp-acme-viewers"])
    assert _roles(sso_user) == {"Acme": Role.APPROVER}
    group_roles_apply(user=sso_user, groups=[])
    assert _roles(sso_user) == {"Acme": Role.APPROVER}
    assert not GroupRoleGrant.objects.exists()


def test_the_last_owner_is_kept_when_their_group_disappears(mapped, sso_user):
    group_roles_apply(user=sso_user, groups=["idp-acme-owners"])
    group_roles_apply(user=sso_user, groups=[])
    assert _roles(sso_user) == {"Acme": Role.OWNER}


def test_projects_are_named_by_id_or_by_the_slug_of_a_unique_name(settings, sso_user):
    by_id = ProjectFactory(name="Anything at all")
    ProjectFactory(name="Twin")
    ProjectFactory(name="twin")
    settings.OIDC_GROUP_ROLE_MAP = f"g=ghost:owner,g=twin:viewer,g={by_id.pk}:reviewer"
    assert group_roles_apply(user=sso_user, groups=["g"]) == {by_id.pk: Role.REVIEWER}
    assert _roles(sso_user) == {"Anything at all": Role.REVIEWER}


def test_without_a_map_nothing_changes(settings, sso_user):
    settings.OIDC_GROUP_ROLE_MAP = ""
    ProjectFactory(name="Acme")
    assert group_roles_apply(user=sso_user, groups=["idp-acme-owners"]) == {}
    assert not Membership.objects.filter(user=sso_user).exists()


@pytest.mark.parametrize("projects", [2, 8])
def test_a_sign_in_with_unchanged_groups_takes_the_same_queries_however_many_projects(
    settings, sso_user, projects, django_assert_num_queries
):
    names = [f"P{i}" for i in range(projects)]
    for name in names:
        ProjectFactory(name=name)
    settings.OIDC_GROUP_ROLE_MAP = ",".join(f"g=p{i}:viewer" for i in range(projects))
    group_roles_apply(user=sso_user, groups=["g"])
    # Savepoint and release, the locked memberships with their grants, and the projects read once.
    with django_assert_num_queries(4):
        group_roles_apply(user=sso_user, groups=["g"])
    assert len(_roles(sso_user)) == projects
