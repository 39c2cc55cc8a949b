"""Every API operation for every role and an outsider, with the expected status taken from one table.

A row names the operation, the capability (a named function of assessments.permissions) that allows it,
the status on success, and what someone outside the project gets: 404 for an object of another project,
400 when the other project's object is named in the body (the same answer as for an id that does not
exist), an empty 200 list. Anonymous callers always get 401.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from assessments import permissions
from assessments.models import Assessment, Membership
from assessments.services import workflow
from tests.factories import UserFactory

IN_90_DAYS = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
ANY_MEMBER = None


@dataclass(frozen=True)
class Op:
    name: str
    method: str
    path: Callable
    body: Callable | None = None
    allowed: Callable | None = ANY_MEMBER
    ok: int = 200
    outsider: int = 404
    setup: Callable | None = None


def _submitted(w, cast):
    workflow.assessment_submit(assessment_id=w.assessment.pk, by=cast["contributor"])


def _approved(w, cast):
    _submitted(w, cast)
    workflow.assessment_approve(assessment_id=w.assessment.pk, by=cast["approver2"])


def _viewer_membership(w):
    return Membership.objects.get(project=w.project, user__username="victor").pk


def _attachment(w):
    """A link on the world's hazard, made the first time an operation names it."""
    from hazards import services
    from hazards.models import Attachment

    existing = Attachment.objects.filter(scenario=w.hazard).first()
    if existing is not None:
        return existing.pk
    alice = User.objects.get(username="alice")
    return services.attachment_link(by=alice, url="https://ci.example.com/run/1", hazard_id=w.hazard.pk).pk


OPS = [
    # --- reads
    Op("list projects", "get", lambda w: "/api/v1/projects/", outsider=200),
    Op("read a project", "get", lambda w: f"/api/v1/projects/{w.project.pk}/"),
    Op("list memberships", "get", lambda w: "/api/v1/memberships/", outsider=200),
    Op("read a membership", "get", lambda w: f"/api/v1/memberships/{_viewer_membership(w)}/"),
    Op("list assessments", "get", lambda w: "/api/v1/assessments/", outsider=200),
    Op("read an assessment", "get", lambda w: f"/api/v1/assessments/{w.assessment.pk}/"),
    Op("transitions of an assessment", "get", lambda w: f"/api/v1/assessments/{w.assessment.pk}/transitions/"),
    Op(
        "diff against the previous revision",
        "get",
        lambda w: f"/api/v1/assessments/{Assessment.objects.get(previous=w.assessment).pk}/diff/",
        setup=lambda w, cast: (
            _approved(w, cast),
            workflow.assessment_start_revision(assessment_id=w.assessment.pk, by=cast["contributor"]),
        ),
    ),
    Op("verify the signed content", "get", lambda w: f"/api/v1/assessments/{w.assessment.pk}/verification/"),
    Op("list hazards", "get", lambda w: "/api/v1/hazards/", outsider=200),
    Op("read a hazard", "get", lambda w: f"/api/v1/hazards/{w.hazard.pk}/"),
    Op("list consequences", "get", lambda w: "/api/v1/consequences/", outsider=200),
    Op("read a consequence", "get", lambda w: f"/api/v1/consequences/{w.consequence.pk}/"),
    Op("list mitigations", "get", lambda w: "/api/v1/mitigations/", outsider=200),
    Op("read a mitigation", "get", lambda w: f"/api/v1/mitigations/{w.mitigation.pk}/"),
    Op(
        "find a mitigation by ticket",
        "get",
        lambda w: "/api/v1/mitigations/by-ticket/?external_system=jira&external_key=SEC-1",
    ),
    Op("list acceptances", "get", lambda w: "/api/v1/risk-acceptances/", outsider=200),
    Op("read an acceptance", "get", lambda w: f"/api/v1/risk-acceptances/{w.acceptance.pk}/"),
    Op("list comments", "get", lambda w: "/api/v1/comments/", outsider=200),
    Op("read a comment", "get", lambda w: f"/api/v1/comments/{w.comment.pk}/"),
    Op("list attachments", "get", lambda w: (_attachment(w), "/api/v1/attachments/")[1], outsider=200),
    Op("read an attachment", "get", lambda w: f"/api/v1/attachments/{_attachment(w)}/"),
    Op("list events", "get", lambda w: "/api/v1/events/", outsider=200),
    Op("read an event", "get", lambda w: f"/api/v1/events/{w.event.pk}/"),
    Op("list the catalogue", "get", lambda w: "/api/v1/catalogue/", outsider=200),
    Op("read a template", "get", lambda w: "/api/v1/catalogue/SEC-01/", outsider=200),
    Op("list webhooks", "get", lambda w: "/api/v1/webhooks/", outsider=200),
    Op("read a webhook", "get", lambda w: f"/api/v1/webhooks/{w.webhook.pk}/", allowed=permissions.can_manage),
    Op("list deliveries", "get", lambda w: "/api/v1/webhook-deliveries/", outsider=200),
    Op(
        "read a delivery",
        "get",
        lambda w: f"/api/v1/webhook-deliveries/{w.delivery.pk}/",
        allowed=permissions.can_manage,
    ),
    # --- projects and members
    Op("create a project", "post", lambda w: "/api/v1/projects/", lambda w: {"name": "Agents"}, ok=201, outsider=201),
    Op(
        "change a project",
        "patch",
        lambda w: f"/api/v1/projects/{w.project.pk}/",
        lambda w: {"description": "Changed"},
        permissions.can_manage,
    ),
    Op(
        "add a member",
        "post",
        lambda w: "/api/v1/memberships/",
        lambda w: {"project": w.project.pk, "user": "newbie", "role": "viewer"},
        permissions.can_manage,
        ok=201,
        outsider=400,
    ),
    Op(
        "change a role",
        "patch",
        lambda w: f"/api/v1/memberships/{_viewer_membership(w)}/",
        lambda w: {"role": "contributor"},
        permissions.can_manage,
    ),
    Op(
        "remove a member",
        "delete",
        lambda w: f"/api/v1/memberships/{_viewer_membership(w)}/",
        None,
        permissions.can_manage,
        ok=204,
    ),
    # --- assessments and the workflow
    Op(
        "create an assessment",
        "post",
        lambda w: "/api/v1/assessments/",
        lambda w: {"project": w.project.pk, "title": "Agents in CI"},
        permissions.can_contribute,
        ok=201,
        outsider=400,
    ),
    Op(
        "change an assessment",
        "patch",
        lambda w: f"/api/v1/assessments/{w.assessment.pk}/",
        lambda w: {"scope": "All IDE users"},
        permissions.can_contribute,
    ),
    Op("submit", "post", lambda w: f"/api/v1/assessments/{w.assessment.pk}/submit/", None, permissions.can_contribute),
    Op(
        "request changes",
        "post",
        lambda w: f"/api/v1/assessments/{w.assessment.pk}/request-changes/",
        lambda w: {"comment": "Rate H-001 again"},
        permissions.can_review,
        setup=_submitted,
    ),
    Op(
        "approve",
        "post",
        lambda w: f"/api/v1/assessments/{w.assessment.pk}/approve/",
        lambda w: {},
        permissions.can_approve,
        setup=_submitted,
    ),
    Op(
        "start a revision",
        "post",
        lambda w: f"/api/v1/assessments/{w.assessment.pk}/start-revision/",
        None,
        permissions.can_contribute,
        ok=201,
        setup=_approved,
    ),
    Op("archive", "post", lambda w: f"/api/v1/assessments/{w.assessment.pk}/archive/", None, permissions.can_manage),
    # --- the register
    Op(
        "create a hazard",
        "post",
        lambda w: "/api/v1/hazards/",
        lambda w: {"assessment": w.assessment.pk, "title": "Prompt injection via repository files"},
        permissions.can_contribute,
        ok=201,
        outsider=400,
    ),
    Op(
        "change a hazard",
        "patch",
        lambda w: f"/api/v1/hazards/{w.hazard.pk}/",
        lambda w: {"causes": "Untrusted context"},
        permissions.can_contribute,
    ),
    Op(
        "delete a hazard",
        "delete",
        lambda w: f"/api/v1/hazards/{w.hazard.pk}/",
        None,
        permissions.can_contribute,
        ok=204,
    ),
    Op(
        "create a consequence",
        "post",
        lambda w: "/api/v1/consequences/",
        lambda w: {
            "hazard": w.hazard.pk,
            "description": "Data loss",
            "harm_type": "technical",
            "affected_party": "developers",
            "severity": 3,
        },
        permissions.can_contribute,
        ok=201,
        outsider=400,
    ),
    Op(
        "change a consequence",
        "patch",
        lambda w: f"/api/v1/consequences/{w.consequence.pk}/",
        lambda w: {"severity": 5},
        permissions.can_contribute,
    ),
    Op(
        "delete a consequence",
        "delete",
        lambda w: f"/api/v1/consequences/{w.consequence.pk}/",
        None,
        permissions.can_contribute,
        ok=204,
    ),
    Op(
        "create a mitigation",
        "post",
        lambda w: "/api/v1/mitigations/",
        lambda w: {"assessment": w.assessment.pk, "title": "Sandbox execution", "kind": "technical_control"},
        permissions.can_contribute,
        ok=201,
        outsider=400,
    ),
    Op(
        "change a mitigation",
        "patch",
        lambda w: f"/api/v1/mitigations/{w.mitigation.pk}/",
        lambda w: {"status": "in_progress"},
        permissions.can_contribute,
    ),
    Op(
        "change a mitigation by ticket",
        "patch",
        lambda w: "/api/v1/mitigations/by-ticket/?external_system=jira&external_key=SEC-1",
        lambda w: {"status": "implemented"},
        permissions.can_contribute,
    ),
    Op(
        "delete a mitigation",
        "delete",
        lambda w: f"/api/v1/mitigations/{w.mitigation.pk}/",
        None,
        permissions.can_contribute,
        ok=204,
    ),
    Op(
        "accept a risk",
        "post",
        lambda w: "/api/v1/risk-acceptances/",
        lambda w: {"hazard": w.hazard.pk, "rationale": "Low exposure", "expires_on": IN_90_DAYS},
        permissions.can_accept_risk,
        ok=201,
        outsider=400,
    ),
    Op(
        "revoke an acceptance",
        "post",
        lambda w: f"/api/v1/risk-acceptances/{w.acceptance.pk}/revoke/",
        lambda w: {"reason": "Exposure grew"},
        permissions.can_accept_risk,
    ),
    Op(
        "comment",
        "post",
        lambda w: "/api/v1/comments/",
        lambda w: {"assessment": w.assessment.pk, "body": "Looks complete"},
        permissions.can_comment,
        ok=201,
        outsider=400,
    ),
    Op(
        "instantiate templates",
        "post",
        lambda w: "/api/v1/catalogue/instantiate/",
        lambda w: {"assessment": w.assessment.pk, "templates": ["SEC-01"]},
        permissions.can_contribute,
        ok=201,
        outsider=400,
    ),
    Op(
        "attach a link",
        "post",
        lambda w: "/api/v1/attachments/",
        lambda w: {"hazard": w.hazard.pk, "url": "https://ci.example.com/run/2", "title": "CI run 2"},
        permissions.can_contribute,
        ok=201,
        outsider=400,
    ),
    Op(
        "remove an attachment",
        "delete",
        lambda w: f"/api/v1/attachments/{_attachment(w)}/",
        None,
        permissions.can_contribute,
        ok=204,
    ),
    # --- webhooks
    Op(
        "register a webhook",
        "post",
        lambda w: "/api/v1/webhooks/",
        lambda w: {"project": w.project.pk, "url": "http://127.0.0.1:9/hooks"},
        permissions.can_manage,
        ok=201,
        outsider=400,
    ),
    Op(
        "change a webhook",
        "patch",
        lambda w: f"/api/v1/webhooks/{w.webhook.pk}/",
        lambda w: {"description": "Jira bridge"},
        permissions.can_manage,
    ),
    Op(
        "remove a webhook",
        "delete",
        lambda w: f"/api/v1/webhooks/{w.webhook.pk}/",
        None,
        permissions.can_manage,
        ok=204,
    ),
    Op(
        "redeliver",
        "post",
        lambda w: f"/api/v1/webhook-deliveries/{w.delivery.pk}/redeliver/",
        None,
        permissions.can_manage,
    ),
]

ROLES = ["owner", "contributor", "reviewer", "approver", "viewer", "outsider", "anonymous"]


@pytest.fixture
def cast(owner, contributor, reviewer, approver, approver2, viewer, outsider, other_project):
    UserFactory(username="newbie")
    return {
        "owner": owner,
        "contributor": contributor,
        "reviewer": reviewer,
        "approver": approver,
        "approver2": approver2,
        "viewer": viewer,
        "outsider": outsider,
    }


def expected_status(op: Op, role: str, user: User | None, project) -> int:
    if role == "anonymous":
        return 401
    if role == "outsider":
        return op.outsider
    if op.allowed is ANY_MEMBER or op.allowed(user, project):
        return op.ok
    return 403


def _state(w) -> dict:
    """Everything a refused call could have touched: row counts, and the versions of the world's objects."""
    from assessments.models import AuditEvent, Project, WebhookDelivery, WebhookEndpoint
    from hazards.models import Attachment, Comment, Consequence, HazardScenario, Mitigation, RiskAcceptance

    def row(model, pk, *fields):
        return list(model.objects.filter(pk=pk).values_list(*fields))

    return {
        "events": AuditEvent.objects.count(),
        "projects": Project.objects.count(),
        "assessments": Assessment.objects.count(),
        "memberships": Membership.objects.count(),
        "webhooks": WebhookEndpoint.objects.count(),
        "deliveries": WebhookDelivery.objects.count(),
        "hazards": HazardScenario.objects.count(),
        "consequences": Consequence.objects.count(),
        "mitigations": Mitigation.objects.count(),
        "acceptances": RiskAcceptance.objects.count(),
        "comments": Comment.objects.count(),
        "attachments": Attachment.objects.count(),
        "project": row(Project, w.project.pk, "version", "description"),
        "assessment": row(Assessment, w.assessment.pk, "status", "version", "scope"),
        "roles": sorted(Membership.objects.filter(project=w.project).values_list("user__username", "role")),
        "hazard": row(HazardScenario, w.hazard.pk, "version", "causes"),
        "consequence": row(Consequence, w.consequence.pk, "version", "severity"),
        "mitigation": row(Mitigation, w.mitigation.pk, "version", "status"),
        "acceptance": row(RiskAcceptance, w.acceptance.pk, "version", "revoked_at"),
        "webhook": row(WebhookEndpoint, w.webhook.pk, "version", "description"),
        "delivery": row(WebhookDelivery, w.delivery.pk, "status", "attempts", "next_attempt_at"),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_each_role_gets_the_status_the_permission_table_gives(
    op, role, world, cast, settings, api_client_for, anonymous_client
):
    settings.HAZLOG_WEBHOOKS_ALLOW_PRIVATE = True
    if op.setup:
        op.setup(world, cast)
    user = cast.get(role)
    client = anonymous_client if user is None else api_client_for(user)
    body = op.body(world) if op.body else None
    path = op.path(world)
    before = _state(world)
    response = getattr(client, op.method)(path, body, format="json")
    expected = expected_status(op, role, user, world.project)
    assert response.status_code == expected, (op.name, role, response.content[:300])
    if expected >= 400:
        assert set(response.json()) >= {"detail", "code"}
        # A refusal is only a refusal if it wrote nothing: no event, no row, no changed version.
        assert _state(world) == before, (op.name, role)
    elif op.method != "get":
        # ...and the same snapshot does see an allowed write, so the check above is not vacuous.
        assert _state(world) != before, (op.name, role)


LISTS = [op for op in OPS if op.name.startswith("list") and "catalogue" not in op.name]


@pytest.mark.parametrize("op", LISTS, ids=[op.name for op in LISTS])
def test_an_outsider_sees_nothing_of_the_project_in_any_list(op, world, cast, api_client_for):
    response = api_client_for(cast["outsider"]).get(op.path(world))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert all(row.get("project", row["id"]) != world.project.pk for row in rows if "webhook" not in row)
    assert all(row["webhook"] != world.webhook.pk for row in rows if "webhook" in row)


def test_a_member_who_is_not_an_owner_sees_no_webhooks_in_the_list(world, cast, api_client_for):
    for role in ("contributor", "approver", "viewer"):
        assert api_client_for(cast[role]).get("/api/v1/webhooks/").json()["results"] == []
    assert [w["id"] for w in api_client_for(cast["owner"]).get("/api/v1/webhooks/").json()["results"]] == [
        world.webhook.pk
    ]
