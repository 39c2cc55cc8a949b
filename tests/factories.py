"""Factories for test data; services are used where the real path matters (audit, refs, levels)."""

import factory
from django.contrib.auth.models import User

from assessments import services as assessment_services
from assessments.models import Assessment, Project, Role
from hazards import scoring


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    matrix = factory.LazyFunction(lambda: scoring.preset(scoring.DEFAULT_PRESET))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Assessment {n}")
    matrix = factory.LazyAttribute(lambda a: a.project.matrix)


def add_member(project: Project, user: User, role: Role | str):
    from assessments.models import Membership
    from assessments.permissions import forget_roles

    membership = Membership.objects.create(project=project, user=user, role=role)
    forget_roles(user)
    return membership


def make_hazard(assessment, by, **fields):
    """A scenario through the service, fully rated unless told otherwise."""
    from hazards import services

    values = {
        "title": "Plausible but incorrect code",
        "inherent_likelihood": 4,
        "inherent_severity": 3,
        "residual_likelihood": 2,
        "residual_severity": 3,
        **fields,
    }
    return services.hazard_create(assessment_id=assessment.pk, by=by, **values)


def make_assessment(project, by, **fields):
    return assessment_services.assessment_create(
        project_id=project.pk, by=by, title=fields.pop("title", "IDE rollout"), **fields
    )
