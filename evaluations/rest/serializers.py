"""API shapes of evaluations. Field limits come from evaluations.limits, as in the forms and services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments import selectors as project_selectors
from assessments.rest import representations
from assessments.rest.fields import IdField, ModelSerializer, StringField, UsernameField, VisibleObjectField
from evaluations import limits, outcomes, selectors, tasksets
from evaluations.models import EvaluationRun, ModelEndpoint, RunSource, RunStatus
from evaluations.suites import BUILTIN_SUITES


def fetch_project(*, user, pk):
    return project_selectors.project_get(user=user, project_id=pk)


def fetch_endpoint(*, user, pk):
    return selectors.endpoint_get(user=user, endpoint_id=pk)


def fetch_custom_suite(*, user, pk):
    return selectors.custom_suite_get(user=user, suite_id=pk)


LEVEL_SCHEMA = {
    "type": "object",
    "properties": {
        "level": {"type": "integer"},
        "tasks": {"type": "integer"},
        "samples": {"type": "integer"},
        "passed": {"type": "integer"},
        "pass_at_1": {"type": "number"},
        "pass_at_k": {"type": "object", "additionalProperties": {"type": "number"}},
        "low": {"type": "number", "description": "95% Wilson interval, lower bound"},
        "high": {"type": "number"},
        "outcomes": {"type": "object", "additionalProperties": {"type": "integer"}},
        "with_findings": {"type": "integer"},
        "findings_share": {"type": "number"},
    },
}
SUMMARY_SCHEMA = {
    "type": "object",
    "description": "Empty until the run completes.",
    "properties": {
        "scale": {"type": "string"},
        "samples": {"type": "integer"},
        "tasks": {"type": "integer"},
        "pass_at_1": {"type": "number"},
        "passed": {"type": "integer"},
        "levels": {"type": "array", "items": LEVEL_SCHEMA},
        "decay": {
            "type": "object",
            "nullable": True,
            "properties": {
                "p1": {"type": "number"},
                "ratio": {"type": "number"},
                "note": {"type": "string"},
                "fitted": {"type": "object", "additionalProperties": {"type": "number"}},
            },
        },
        "findings_by_rule": {"type": "array", "items": {"type": "object"}},
    },
}


@extend_schema_field(SUMMARY_SCHEMA)
class SummaryField(serializers.JSONField):
    pass


class EvaluationRunSerializer(ModelSerializer):
    ref = StringField(read_only=True)
    created_by = UsernameField(read_only=True)
    summary = SummaryField(read_only=True)
    is_demo = serializers.BooleanField(read_only=True)

    class Meta:
        model = EvaluationRun
        fields = [
            "id",
            "uid",
            "ref",
            "project",
            "model_name",
            "model_version",
            "suite_key",
            "suite_version",
            "seed",
            "tasks_per_level",
            "task_set_digest",
            "custom_suite",
            "source",
            "is_demo",
            "endpoint",
            "samples_per_task",
            "status",
            "progress_done",
            "progress_total",
            "cancel_requested",
            "error",
            "summary",
            "sandbox",
            "results_sha256",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class CompletionSerializer(serializers.Serializer):
    task_id = StringField(max_length=200)
    completion = StringField(allow_blank=True, trim_whitespace=False)
    sample_index = serializers.IntegerField(min_value=0, required=False)


class RunCreateSerializer(serializers.Serializer):
    project = VisibleObjectField(fetch=fetch_project, label_text="project")
    suite = serializers.ChoiceField(choices=[*BUILTIN_SUITES, tasksets.CUSTOM])
    custom_suite = VisibleObjectField(fetch=fetch_custom_suite, label_text="suite", required=False, allow_null=True)
    suite_version = StringField(max_length=20, required=False, allow_blank=True)
    seed = serializers.IntegerField(min_value=int(limits.SEED.low), max_value=int(limits.SEED.high), required=False)
    tasks_per_level = serializers.IntegerField(
        min_value=int(limits.TASKS_PER_LEVEL.low), max_value=int(limits.TASKS_PER_LEVEL.high), required=False
    )
    model_version = StringField(max_length=limits.MODEL_VERSION_MAX, required=False, allow_blank=True)
    model_name = StringField(
        max_length=limits.MODEL_NAME_MAX, required=False, help_text="Required with `completions`."
    )
    endpoint = VisibleObjectField(
        fetch=fetch_endpoint,
        label_text="model endpoint",
        required=False,
        allow_null=True,
        help_text="Ask this endpoint for the completions (instead of giving them).",
    )
    completions = CompletionSerializer(
        many=True, required=False, help_text="The completions, as a harness writes them (instead of an endpoint)."
    )

    def validate(self, data):
        if bool(data.get("completions")) == bool(data.get("endpoint")):
            raise serializers.ValidationError("Give either `completions` or an `endpoint`.")
        if data.get("completions") and not data.get("model_name"):
            raise serializers.ValidationError({"model_name": ["Name the model that wrote the completions."]})
        return data


class RunFilterSerializer(serializers.Serializer):
    project = IdField(required=False)
    status = serializers.ChoiceField(choices=RunStatus.choices, required=False)
    source = serializers.ChoiceField(choices=RunSource.choices, required=False)
    model_name = StringField(max_length=limits.MODEL_NAME_MAX, required=False)
    model_version = StringField(max_length=limits.MODEL_VERSION_MAX, required=False)


class TaskResultSerializer(serializers.Serializer):
    task_id = StringField()
    level = serializers.IntegerField()
    samples = serializers.IntegerField()
    passed = serializers.IntegerField()
    with_findings = serializers.IntegerField()


class SampleSerializer(serializers.Serializer):
    task_id = StringField()
    index = serializers.IntegerField()
    level = serializers.IntegerField()
    completion = StringField()
    outcome = serializers.ChoiceField(choices=[("", "Not run yet"), *outcomes.CHOICES])
    detail = StringField()
    duration_ms = serializers.IntegerField()
    findings = serializers.ListField(child=serializers.DictField())


class ModelEndpointSerializer(ModelSerializer):
    api_key_set = serializers.SerializerMethodField()

    class Meta:
        model = ModelEndpoint
        fields = [
            "id",
            "project",
            "name",
            "base_url",
            "model",
            "temperature",
            "samples_per_task",
            "max_tokens",
            "api_key_set",
            "api_key_set_at",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_api_key_set(self, endpoint) -> bool:
        return bool(endpoint.api_key_encrypted)


class ModelEndpointWriteSerializer(serializers.Serializer):
    name = StringField(max_length=limits.ENDPOINT_NAME_MAX)
    base_url = StringField(max_length=limits.BASE_URL_MAX)
    model = StringField(max_length=limits.MODEL_NAME_MAX)
    temperature = serializers.FloatField(
        min_value=limits.TEMPERATURE.low, max_value=limits.TEMPERATURE.high, required=False
    )
    samples_per_task = serializers.IntegerField(
        min_value=int(limits.SAMPLES_PER_TASK.low), max_value=int(limits.SAMPLES_PER_TASK.high), required=False
    )
    max_tokens = serializers.IntegerField(
        min_value=int(limits.MAX_TOKENS.low), max_value=int(limits.MAX_TOKENS.high), required=False
    )
    api_key = StringField(
        max_length=limits.API_KEY_MAX,
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Stored encrypted; never returned.",
    )


class ModelEndpointCreateSerializer(ModelEndpointWriteSerializer):
    project = VisibleObjectField(fetch=fetch_project, label_text="project")


class SuiteSerializer(serializers.Serializer):
    key = StringField()
    title = StringField()
    description = StringField()
    versions = serializers.ListField(child=StringField())
    latest_version = StringField()
    seeded = serializers.BooleanField()
    scale = StringField()
    levels = serializers.ListField(child=serializers.IntegerField())
    default_tasks_per_level = serializers.IntegerField()


class PromptSerializer(serializers.Serializer):
    task_id = StringField()
    level = serializers.IntegerField()
    prompt = StringField()
    entry_point = StringField()


representations.register(EvaluationRun, EvaluationRunSerializer)
representations.register(ModelEndpoint, ModelEndpointSerializer)
