"""Representations and inputs of the assessments app's API resources (projects, members, assessments,
events, webhooks). Inputs only type-check; the services own every business rule."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import permissions, selectors
from assessments.models import (
    SPEC_LEVELS,
    Assessment,
    AuditEvent,
    DeploymentChannel,
    Membership,
    Project,
    ReviewPractice,
    Role,
    Status,
    UserExpertise,
    WebhookDelivery,
    WebhookEndpoint,
)
from assessments.rest import representations
from assessments.rest.fields import IdField, ModelSerializer, StringField, UsernameField, VisibleObjectField
from assessments.services.assessments import CHAIN_STEPS_MAX
from hazards import scoring


def fetch_project(*, user, pk):
    return selectors.project_get(user=user, project_id=pk)


def fetch_assessment(*, user, pk):
    return selectors.assessment_get(user=user, assessment_id=pk)


# --- Projects and members -----------------------------------------------------------------------------


class ProjectSerializer(ModelSerializer):
    my_role = serializers.SerializerMethodField(help_text="Your role in the project.")

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "required_approvals",
            "review_cadence_days",
            "max_acceptance_days",
            "matrix",
            "my_role",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_my_role(self, project) -> str | None:
        role = getattr(project, "my_role", None)
        if role is None and "request" in self.context:
            role = permissions.role_in(self.context["request"].user, project)
        return role


class ProjectWriteSerializer(serializers.Serializer):
    name = StringField(max_length=200)
    description = StringField(allow_blank=True, required=False)
    matrix_preset = serializers.ChoiceField(
        choices=list(scoring.PRESETS), required=False, help_text="Replace the matrix new assessments copy."
    )
    required_approvals = serializers.IntegerField(min_value=1, max_value=10, required=False)
    review_cadence_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    max_acceptance_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)


class MembershipSerializer(ModelSerializer):
    user = UsernameField(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "project", "user", "role", "created_at", "updated_at", "version"]
        read_only_fields = fields


class MembershipCreateSerializer(serializers.Serializer):
    project = VisibleObjectField(fetch=fetch_project, label_text="project")
    user = UsernameField(allow_null=False)
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipUpdateSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MembershipFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    role = serializers.ChoiceField(choices=Role.choices, required=False)


# --- Assessments ----------------------------------------------------------------------------------------


USER_EXPERTISE_CHOICES = [("", "Not set"), *UserExpertise.choices]
REVIEW_PRACTICE_CHOICES = [("", "Not set"), *ReviewPractice.choices]


class AssessmentSerializer(ModelSerializer):
    submitted_by = UsernameField(read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    deployment_channel = serializers.ChoiceField(choices=[("", "Not set"), *DeploymentChannel.choices], read_only=True)
    user_expertise = serializers.ChoiceField(choices=USER_EXPERTISE_CHOICES, read_only=True)
    review_practice = serializers.ChoiceField(choices=REVIEW_PRACTICE_CHOICES, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "project",
            "lineage",
            "revision",
            "previous",
            "title",
            "status",
            "model_name",
            "model_version",
            "deployment_channel",
            "user_population",
            "application_domain",
            "scope",
            "typical_spec_level",
            "typical_chain_steps",
            "user_expertise",
            "review_practice",
            "due_date",
            "next_review_date",
            "submitted_by",
            "submitted_at",
            "content_hash",
            "approved_at",
            "matrix",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class AssessmentUpdateSerializer(serializers.Serializer):
    title = StringField(max_length=200, required=False)
    model_name = StringField(max_length=200, allow_blank=True, required=False)
    model_version = StringField(max_length=100, allow_blank=True, required=False)
    deployment_channel = serializers.ChoiceField(
        choices=[("", "Not set"), *DeploymentChannel.choices], allow_blank=True, required=False
    )
    user_population = StringField(allow_blank=True, required=False)
    application_domain = StringField(allow_blank=True, required=False)
    scope = StringField(allow_blank=True, required=False)
    typical_spec_level = serializers.IntegerField(
        min_value=1, max_value=len(SPEC_LEVELS), allow_null=True, required=False
    )
    typical_chain_steps = serializers.IntegerField(
        min_value=1, max_value=CHAIN_STEPS_MAX, allow_null=True, required=False
    )
    user_expertise = serializers.ChoiceField(choices=USER_EXPERTISE_CHOICES, allow_blank=True, required=False)
    review_practice = serializers.ChoiceField(choices=REVIEW_PRACTICE_CHOICES, allow_blank=True, required=False)
    due_date = serializers.DateField(allow_null=True, required=False)
    next_review_date = serializers.DateField(allow_null=True, required=False)


class AssessmentCreateSerializer(AssessmentUpdateSerializer):
    project = VisibleObjectField(fetch=fetch_project, label_text="project")
    title = StringField(max_length=200)


class AssessmentFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    lineage = serializers.UUIDField(required=False, help_text="Every revision of one assessment.")


class RequestChangesSerializer(serializers.Serializer):
    comment = StringField(help_text="What needs to change.")


class ApproveSerializer(serializers.Serializer):
    comment = StringField(allow_blank=True, required=False)
    seen_hash = serializers.RegexField(
        r"^[0-9a-f]{64}$",
        required=False,
        help_text="The content_hash you reviewed; refused (409) if the content moved on since.",
    )


class TransitionOptionSerializer(serializers.Serializer):
    name = StringField()
    label = StringField()
    enabled = serializers.BooleanField()
    reason = StringField(help_text="Why it is disabled (empty when enabled).")


class DiffQuerySerializer(serializers.Serializer):
    against = IdField(required=False, help_text="Another revision of the same assessment; default the previous one.")


class SnapshotCheckSerializer(serializers.Serializer):
    snapshot_id = serializers.IntegerField()
    sha256 = StringField(help_text="The hash recorded when the snapshot was taken.")
    recomputed = StringField(help_text="The hash of the stored text, recomputed now.")
    intact = serializers.BooleanField(help_text="The stored text still hashes to the recorded SHA-256.")
    matches_live = serializers.BooleanField(help_text="Today's content gives the same hash.")


class ApprovalStateSerializer(serializers.Serializer):
    approval_id = serializers.IntegerField()
    approver = StringField()
    created_at = StringField()
    comment = StringField(allow_blank=True)
    content_hash = StringField()
    counts = serializers.BooleanField(help_text="Given to the submitted content, which is still the content.")
    outdated = serializers.BooleanField(help_text="Given to content that is no longer the assessment's content.")


class FileCheckSerializer(serializers.Serializer):
    sha256 = StringField(help_text="The SHA-256 recorded when the evidence file was attached.")
    names = serializers.ListField(child=StringField(), help_text="Where it is attached (`H-001: a.pdf`).")
    recomputed = StringField(allow_null=True, help_text="The stored bytes hashed now; null if missing.")
    intact = serializers.BooleanField(help_text="The stored bytes still hash to the recorded SHA-256.")


class VerificationSerializer(serializers.Serializer):
    assessment_id = serializers.IntegerField()
    revision = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    live_sha256 = StringField()
    submitted = SnapshotCheckSerializer(allow_null=True)
    approved = SnapshotCheckSerializer(allow_null=True)
    approvals = ApprovalStateSerializer(many=True)
    counting_approvals = serializers.IntegerField()
    required_approvals = serializers.IntegerField()
    content_changed_since_submission = serializers.BooleanField()
    content_changed_since_approval = serializers.BooleanField()
    files = FileCheckSerializer(many=True, help_text="Every evidence file of the revision and its signed snapshots.")
    files_altered = serializers.BooleanField(help_text="A stored evidence file is missing or no longer matches.")


# --- Events ---------------------------------------------------------------------------------------------


class EventSerializer(ModelSerializer):
    actor = StringField(source="actor_name", help_text="Username, or `system` for scheduled work.")
    object_type = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "project",
            "assessment",
            "actor",
            "via",
            "action",
            "object_type",
            "object_id",
            "object_ref",
            "object_repr",
            "changes",
            "created_at",
        ]
        read_only_fields = fields

    def get_object_type(self, event) -> str:
        return representations.resource_name(event.object_type)


class EventFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    object_type = serializers.ChoiceField(choices=sorted(representations.MODEL_NAMES), required=False)
    object_id = IdField(required=False)
    action = serializers.RegexField(
        r"^[a-z_]+\.[a-z_]+(,[a-z_]+\.[a-z_]+)*$",
        required=False,
        help_text="One action or several separated by commas, e.g. mitigation.deleted,hazard.deleted.",
    )


# --- Webhooks -------------------------------------------------------------------------------------------


class WebhookSerializer(ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "project", "url", "event_types", "description", "active", "created_at", "updated_at", "version"]
        read_only_fields = fields

    event_types = serializers.ListField(child=StringField(), read_only=True)


class WebhookPayloadSerializer(WebhookSerializer):
    """A webhook as other receivers of the project's events see it: the URL without its credentials."""

    url = StringField(source="redacted_url", read_only=True)


class WebhookCreatedSerializer(WebhookSerializer):
    secret = StringField(read_only=True, help_text="Shown once, here; keep it to verify signatures.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookUpdateSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.RegexField(r"^[a-z_]+\.([a-z_]+|\*)$", max_length=60),
        required=False,
        max_length=50,
        help_text="Event types such as hazard.created or mitigation.*; empty means every event.",
    )
    description = StringField(max_length=200, allow_blank=True, required=False)
    active = serializers.BooleanField(required=False)
    secret = StringField(
        min_length=16, max_length=128, required=False, write_only=True, help_text="Replace the signing secret."
    )


class WebhookCreateSerializer(WebhookUpdateSerializer):
    project = VisibleObjectField(fetch=fetch_project, label_text="project")
    url = serializers.URLField(max_length=500)
    secret = StringField(
        min_length=16, max_length=128, required=False, write_only=True, help_text="Generated when left out."
    )


class WebhookFilterSerializer(serializers.Serializer):
    project = IdField(required=False)


class DeliverySerializer(ModelSerializer):
    webhook = serializers.IntegerField(source="endpoint_id")
    event_type = StringField(source="event.action")

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "webhook",
            "event",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_duration_ms",
            "last_error",
            "created_at",
            "delivered_at",
        ]
        read_only_fields = fields


class DeliveryFilterSerializer(serializers.Serializer):
    webhook = IdField(required=False)
    status = serializers.ChoiceField(choices=WebhookDelivery.State.choices, required=False)


representations.register(Project, ProjectSerializer)
representations.register(
    Membership, MembershipSerializer, load=lambda pk: Membership.objects.select_related("user").filter(pk=pk).first()
)
representations.register(Assessment, AssessmentSerializer)
representations.register(WebhookEndpoint, WebhookSerializer, payload=WebhookPayloadSerializer)
