"""Projects in the browser: list and create, the project page, members, settings and the matrix."""

from django.urls import reverse

from assessments.models import Assessment, AuditEvent, Membership, Project
from tests.factories import make_hazard
from tests.webtools import HTMX


def test_creating_a_project_makes_the_creator_its_owner(outsider, client_for):
    response = client_for(outsider).post(
        reverse("project_list"),
        {
            "name": "Review bot",
            "matrix_preset": "mil_std_882e",
            "required_approvals": 2,
            "review_cadence_days": 90,
            "max_acceptance_days": 180,
        },
    )
    project = Project.objects.get(name="Review bot")
    assert response.status_code == 302
    assert Membership.objects.get(project=project, user=outsider).role == "owner"
    assert project.matrix["preset"] == "mil_std_882e"
    assert AuditEvent.objects.filter(action="project.created", project=project).exists()


def test_bad_project_input_shows_errors_and_creates_nothing(outsider, client_for):
    response = client_for(outsider).post(
        reverse("project_list"), {"name": "", "matrix_preset": "nope", "required_approvals": 0}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_name_error"' in html and 'id="id_matrix_preset_error"' in html
    assert not Project.objects.filter(memberships__user=outsider).exists()


def test_the_project_page_lists_assessments_with_residual_risk_counts(project, assessment, contributor, client_for):
    make_hazard(assessment, contributor, residual_likelihood=5, residual_severity=5)
    make_hazard(assessment, contributor, residual_likelihood=5, residual_severity=5)
    make_hazard(assessment, contributor, residual_likelihood=1, residual_severity=1)
    html = client_for(contributor).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "IDE assistant rollout" in html
    assert 'High <span class="score">2</span>' in html
    assert 'Low <span class="score">1</span>' in html


def test_contributors_create_assessments_rated_on_the_projects_matrix(project, contributor, client_for):
    response = client_for(contributor).post(
        reverse("assessment_create", args=[project.pk]),
        {"title": "Agent mode", "model_name": "CodeGen-X", "deployment_channel": "agent"},
    )
    assessment = Assessment.objects.get(title="Agent mode")
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/{assessment.pk}/"
    assert assessment.matrix == project.matrix


def test_owners_add_members_change_roles_and_remove_them(project, owner, outsider, client_for):
    client = client_for(owner)
    response = client.post(
        reverse("member_add", args=[project.pk]), {"username": "MALLORY", "role": "reviewer"}, headers=HTMX
    )
    membership = Membership.objects.get(project=project, user=outsider)
    assert response.status_code == 200 and "mallory" in response.content.decode()
    assert membership.role == "reviewer"
    client.post(
        reverse("member_change_role", args=[membership.pk]), {"role": "approver", "version": membership.version}
    )
    membership.refresh_from_db()
    assert membership.role == "approver"
    client.post(reverse("member_remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_adding_an_unknown_person_explains_the_problem(project, owner, client_for):
    response = client_for(owner).post(
        reverse("member_add", args=[project.pk]), {"username": "nobody", "role": "viewer"}, headers=HTMX
    )
    assert "No active user is called" in response.content.decode()


def test_the_last_owner_cannot_be_removed(project, owner, client_for):
    membership = Membership.objects.get(project=project, user=owner)
    response = client_for(owner).post(reverse("member_remove", args=[membership.pk]), follow=True)
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_settings_and_matrix_edits_are_saved_by_owners(project, owner, client_for):
    client = client_for(owner)
    url = reverse("project_settings", args=[project.pk])
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "form": "settings",
            "name": "Renamed",
            "description": "",
            "required_approvals": 3,
            "review_cadence_days": 30,
            "max_acceptance_days": 60,
            "version": project.version,
        },
    )
    project.refresh_from_db()
    assert (project.name, project.required_approvals, project.max_acceptance_days) == ("Renamed", 3, 60)
    form = client.get(url).context["matrix_form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data.update(form="matrix", version=project.version, name="Our matrix", cell_5_5="medium", likelihood_1_name="Rare")
    client.post(url, data)
    project.refresh_from_db()
    assert project.matrix["name"] == "Our matrix"
    assert project.matrix["grid"][4][4] == "medium"
    assert project.matrix["likelihood"][0]["name"] == "Rare"


def test_a_stale_settings_save_is_refused(project, owner, client_for):
    client = client_for(owner)
    url = reverse("project_settings", args=[project.pk])
    response = client.post(
        url,
        {
            "form": "settings",
            "name": "Stale",
            "required_approvals": 1,
            "review_cadence_days": 1,
            "max_acceptance_days": 1,
            "version": 99,
        },
        follow=True,
    )
    assert "Nothing was saved" in response.content.decode()
    assert Project.objects.get(pk=project.pk).name == "Coding assistant rollout"
