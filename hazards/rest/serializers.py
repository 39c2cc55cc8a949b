"""Representations and inputs of the register's API resources: hazards (scenarios), consequences, mitigations,
risk acceptances, comments and the catalogue. Inputs only type-check; the services own every rule."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.rest import representations
from assessments.rest.fields import IdField, ModelSerializer, StringField, UsernameField, VisibleObjectField
from assessments.rest.projection import Projection
from assessments.rest.serializers import fetch_assessment
from hazards import selectors as hazard_selectors
from hazards import sync_selectors
from hazards.models import (
    AffectedParty,
    Category,
    Comment,
    Consequence,
    HarmType,
    HazardScenario,
    HazardTemplate,
    Mitigation,
    MitigationKind,
    MitigationStatus,
    RiskAcceptance,
    Treatment,
)
from hazards.models.register import MAX_RATING
from hazards.services.scenarios import EXTERNAL_REF_MAX_LENGTH


def fetch_hazard(*, user, pk):
    return hazard_selectors.hazard_get(user=user, hazard_id=pk)


def _rating(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_RATING, allow_null=True, required=False, **kwargs)


# --- Hazards --------------------------------------------------------------------------------------------


class HazardSerializer(ModelSerializer):
    project = serializers.IntegerField(source="assessment.project_id", read_only=True)
    owner = UsernameField(read_only=True)
    source_template = serializers.SlugRelatedField(slug_field="key", read_only=True, allow_null=True)

    class Meta:
        model = HazardScenario
        fields = [
            "id",
            "ref",
            "project",
            "assessment",
            "title",
            "external_ref",
            "description",
            "category",
            "causes",
            "affected_parties",
            "source_template",
            "inherent_likelihood",
            "inherent_severity",
            "inherent_level",
            "residual_likelihood",
            "residual_severity",
            "residual_level",
            "treatment",
            "owner",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


# The list and detail reads: the same representation from values() rows (see assessments/rest/projection.py).
HAZARD_PROJECTION = Projection(HazardSerializer, paths={"owner": "owner__username"})


class HazardUpdateSerializer(serializers.Serializer):
    title = StringField(max_length=200, required=False)
    external_ref = StringField(
        max_length=EXTERNAL_REF_MAX_LENGTH,
        allow_blank=True,
        required=False,
        help_text="Its id in another register (e.g. the tool it was imported from).",
    )
    description = StringField(allow_blank=True, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    causes = StringField(allow_blank=True, required=False)
    affected_parties = StringField(allow_blank=True, required=False)
    inherent_likelihood = _rating()
    inherent_severity = _rating()
    residual_likelihood = _rating()
    residual_severity = _rating()
    treatment = serializers.ChoiceField(choices=Treatment.choices, required=False)
    owner = UsernameField(required=False)


class HazardCreateSerializer(HazardUpdateSerializer):
    assessment = VisibleObjectField(fetch=fetch_assessment, label_text="assessment")
    title = StringField(max_length=200)


class HazardFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    treatment = serializers.ChoiceField(choices=Treatment.choices, required=False)
    owner = StringField(max_length=150, required=False, help_text="Username of the owner.")
    risk_level = serializers.RegexField(
        r"^[a-z0-9_]+$", max_length=40, required=False, help_text="A residual risk level key of the matrix."
    )


# --- Consequences ---------------------------------------------------------------------------------------


class ConsequenceSerializer(ModelSerializer):
    hazard = serializers.IntegerField(source="scenario_id", read_only=True)
    assessment = serializers.IntegerField(source="scenario.assessment_id", read_only=True)
    project = serializers.IntegerField(source="scenario.assessment.project_id", read_only=True)

    class Meta:
        model = Consequence
        fields = [
            "id",
            "hazard",
            "assessment",
            "project",
            "description",
            "harm_type",
            "affected_party",
            "severity",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class ConsequenceUpdateSerializer(serializers.Serializer):
    description = StringField(required=False)
    harm_type = serializers.ChoiceField(choices=HarmType.choices, required=False)
    affected_party = serializers.ChoiceField(choices=AffectedParty.choices, required=False)
    severity = serializers.IntegerField(min_value=1, max_value=MAX_RATING, required=False)


class ConsequenceCreateSerializer(ConsequenceUpdateSerializer):
    hazard = VisibleObjectField(fetch=fetch_hazard, label_text="hazard")
    description = StringField()
    harm_type = serializers.ChoiceField(choices=HarmType.choices)
    affected_party = serializers.ChoiceField(choices=AffectedParty.choices)
    severity = serializers.IntegerField(min_value=1, max_value=MAX_RATING)


class ConsequenceFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    hazard = IdField(required=False)


# --- Mitigations ----------------------------------------------------------------------------------------


class MitigationSerializer(ModelSerializer):
    project = serializers.IntegerField(source="assessment.project_id", read_only=True)
    owner = UsernameField(read_only=True)
    hazards = serializers.SerializerMethodField(help_text="Ids of the hazards (scenarios) it addresses.")
    external_url = StringField(read_only=True, help_text="A link to the ticket, or empty.")

    class Meta:
        model = Mitigation
        fields = [
            "id",
            "ref",
            "project",
            "assessment",
            "title",
            "description",
            "kind",
            "status",
            "owner",
            "due_date",
            "verification_note",
            "hazards",
            "external_system",
            "external_key",
            "external_url",
            "external_synced_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_hazards(self, mitigation) -> list[int]:
        return sorted(s.pk for s in mitigation.scenarios.all())


MITIGATION_PROJECTION = Projection(
    MitigationSerializer,
    paths={"owner": "owner__username"},
    computed={"hazards": lambda ids: sync_selectors.mitigation_hazard_ids(mitigation_ids=ids)},
)


class MitigationUpdateSerializer(serializers.Serializer):
    title = StringField(max_length=200, required=False)
    description = StringField(allow_blank=True, required=False)
    kind = serializers.ChoiceField(choices=MitigationKind.choices, required=False)
    status = serializers.ChoiceField(choices=MitigationStatus.choices, required=False)
    owner = UsernameField(required=False)
    due_date = serializers.DateField(allow_null=True, required=False)
    verification_note = StringField(allow_blank=True, required=False)
    hazards = serializers.ListField(child=IdField(), required=False, max_length=1000, help_text="Replaces the links.")
    external_system = StringField(max_length=50, allow_blank=True, required=False)
    external_key = StringField(max_length=100, allow_blank=True, required=False)
    external_url = StringField(max_length=500, allow_blank=True, required=False)
    external_synced_at = serializers.DateTimeField(allow_null=True, required=False)


class MitigationCreateSerializer(MitigationUpdateSerializer):
    assessment = VisibleObjectField(fetch=fetch_assessment, label_text="assessment")
    title = StringField(max_length=200)
    kind = serializers.ChoiceField(choices=MitigationKind.choices)


class MitigationFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    status = serializers.ChoiceField(choices=MitigationStatus.choices, required=False)
    owner = StringField(max_length=150, required=False, help_text="Username of the owner.")
    hazard = IdField(required=False)
    external_system = StringField(max_length=50, required=False)
    external_key = StringField(max_length=100, required=False)


class TicketQuerySerializer(serializers.Serializer):
    external_system = StringField(max_length=50, help_text="e.g. jira, github, servicenow")
    external_key = StringField(max_length=100, help_text="The ticket key, e.g. SEC-123")
    assessment = IdField(required=False, help_text="Needed when the ticket is linked in several live assessments.")


# --- Acceptances and comments ---------------------------------------------------------------------------


class AcceptanceSerializer(ModelSerializer):
    hazard = serializers.IntegerField(source="scenario_id", read_only=True)
    assessment = serializers.IntegerField(source="scenario.assessment_id", read_only=True)
    project = serializers.IntegerField(source="scenario.assessment.project_id", read_only=True)
    accepted_by = UsernameField(read_only=True)
    revoked_by = UsernameField(read_only=True)
    active = serializers.SerializerMethodField(help_text="Neither revoked nor past its expiry date.")

    class Meta:
        model = RiskAcceptance
        fields = [
            "id",
            "hazard",
            "assessment",
            "project",
            "accepted_by",
            "rationale",
            "conditions",
            "expires_on",
            "active",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
            "expired_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_active(self, acceptance) -> bool:
        return acceptance.is_valid()


class AcceptanceCreateSerializer(serializers.Serializer):
    hazard = VisibleObjectField(fetch=fetch_hazard, label_text="hazard")
    rationale = StringField()
    conditions = StringField(allow_blank=True, required=False)
    expires_on = serializers.DateField()


class AcceptanceRevokeSerializer(serializers.Serializer):
    reason = StringField()


class AcceptanceFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    hazard = IdField(required=False)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)


class CommentSerializer(ModelSerializer):
    hazard = serializers.IntegerField(source="scenario_id", read_only=True, allow_null=True)
    project = serializers.IntegerField(source="assessment.project_id", read_only=True)
    author = UsernameField(read_only=True)
    mentions = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "project", "assessment", "hazard", "author", "body", "mentions", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=StringField()))
    def get_mentions(self, comment) -> list[str]:
        return sorted(u.username for u in comment.mentions.all())


class CommentCreateSerializer(serializers.Serializer):
    assessment = VisibleObjectField(fetch=fetch_assessment, label_text="assessment")
    hazard = VisibleObjectField(fetch=fetch_hazard, label_text="hazard", required=False, allow_null=True)
    body = StringField(max_length=10_000, help_text="@username mentions notify project members.")


class CommentFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    hazard = IdField(required=False)


# --- Catalogue ------------------------------------------------------------------------------------------


class TemplateSerializer(ModelSerializer):
    class Meta:
        model = HazardTemplate
        fields = [
            "key",
            "area",
            "title",
            "description",
            "causes",
            "affected_parties",
            "capability_dependence",
            "default_likelihood",
            "default_severity",
            "consequences",
            "mitigations",
            "review_triggers",
            "references",
            "catalogue_version",
            "updated_at",
        ]
        read_only_fields = fields


class TemplateFilterSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=Category.choices, required=False)
    q = StringField(max_length=200, required=False, help_text="Words in the title or description, or a key.")


class InstantiateSerializer(serializers.Serializer):
    assessment = VisibleObjectField(fetch=fetch_assessment, label_text="assessment")
    templates = serializers.ListField(
        child=StringField(max_length=20), min_length=1, max_length=100, help_text="Template keys."
    )


def _load(model, *related):
    return lambda pk: model.objects.select_related(*related).filter(pk=pk).first()


representations.register(
    HazardScenario, HazardSerializer, load=_load(HazardScenario, "assessment", "owner", "source_template")
)
representations.register(Consequence, ConsequenceSerializer, load=_load(Consequence, "scenario__assessment"))
representations.register(
    Mitigation,
    MitigationSerializer,
    load=lambda pk: (
        Mitigation.objects.select_related("assessment", "owner").prefetch_related("scenarios").filter(pk=pk).first()
    ),
)
representations.register(
    RiskAcceptance,
    AcceptanceSerializer,
    load=_load(RiskAcceptance, "scenario__assessment", "accepted_by", "revoked_by"),
)
representations.register(
    Comment,
    CommentSerializer,
    load=lambda pk: (
        Comment.objects.select_related("assessment", "author").prefetch_related("mentions").filter(pk=pk).first()
    ),
)
