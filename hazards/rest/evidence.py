"""API shapes of evidence citations: the citation, why it is stale, and the likelihood it suggests."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.rest import representations
from assessments.rest.fields import IdField, ModelSerializer, StringField, UsernameField, VisibleObjectField
from evaluations import limits
from evaluations import selectors as evaluation_selectors
from hazards import selectors
from hazards.evidence import evidence_for
from hazards.models import EvidenceCitation, EvidenceRelation


def fetch_hazard(*, user, pk):
    return selectors.hazard_get(user=user, hazard_id=pk)


def fetch_run(*, user, pk):
    return evaluation_selectors.run_get(user=user, run_id=pk)


class SuggestionSerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, help_text="Suggested likelihood; null when none can be made.")
    reasons = serializers.ListField(child=StringField(), help_text="The rule's steps, in order.")
    missing = StringField(help_text="Why there is no suggestion (empty when there is one).")
    figures = serializers.DictField(help_text="The numbers the rule read (pass rate, reliable level, threshold).")


class CitationSerializer(ModelSerializer):
    hazard = serializers.IntegerField(source="scenario_id", read_only=True)
    hazard_ref = StringField(source="scenario.ref", read_only=True)
    run_ref = StringField(source="run.ref", read_only=True)
    run_uid = serializers.UUIDField(source="run.uid", read_only=True)
    created_by = UsernameField(read_only=True)
    stale = serializers.SerializerMethodField()
    suggestion = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceCitation
        fields = [
            "id",
            "hazard",
            "hazard_ref",
            "run",
            "run_ref",
            "run_uid",
            "relation",
            "level",
            "note",
            "stale",
            "suggestion",
            "created_by",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    def _evidence(self, citation):
        cache = self.context.setdefault("_evidence", {})
        if citation.pk not in cache:
            cache[citation.pk] = evidence_for(citation, citation.scenario.assessment)
        return cache[citation.pk]

    def get_stale(self, citation) -> list[str]:
        return self._evidence(citation).stale

    @extend_schema_field(SuggestionSerializer)
    def get_suggestion(self, citation) -> dict:
        suggestion = self._evidence(citation).suggestion
        return {
            "value": suggestion.value,
            "reasons": suggestion.reasons,
            "missing": suggestion.missing,
            "figures": suggestion.figures,
        }


class CitationCreateSerializer(serializers.Serializer):
    hazard = VisibleObjectField(fetch=fetch_hazard, label_text="hazard")
    run = VisibleObjectField(fetch=fetch_run, label_text="evaluation run")
    relation = serializers.ChoiceField(choices=EvidenceRelation.choices)
    level = serializers.IntegerField(
        min_value=limits.LEVEL.low, max_value=limits.LEVEL.high, required=False, allow_null=True
    )
    note = StringField(max_length=limits.NOTE_MAX, required=False, allow_blank=True)


class CitationFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    assessment = IdField(required=False)
    hazard = IdField(required=False)
    run = IdField(required=False)


class AcceptSuggestionSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=[("inherent", "Inherent"), ("residual", "Residual")], default="inherent")


def _load(pk):
    return EvidenceCitation.objects.select_related("run", "scenario__assessment__project").filter(pk=pk).first()


representations.register(EvidenceCitation, CitationSerializer, load=_load)
