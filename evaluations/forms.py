"""Browser forms of evaluations: they parse input; the services check the rules (limits.py) and write."""

from django import forms

from evaluations import limits
from evaluations.models import RunSource
from evaluations.tasksets import CUSTOM, suite_choices
from hazards.models import EvidenceRelation


class RunForm(forms.Form):
    source = forms.ChoiceField(
        label="Completions from",
        choices=[(RunSource.UPLOAD, "A file of completions (JSONL)"), (RunSource.ENDPOINT, "A model endpoint")],
        widget=forms.RadioSelect,
        initial=RunSource.UPLOAD,
    )
    suite = forms.ChoiceField(label="Suite")
    custom_suite = forms.TypedChoiceField(label="Your suite", coerce=int, empty_value=None, required=False)
    suite_version = forms.CharField(label="Suite version", max_length=20, required=False, help_text="Empty: newest.")
    seed = forms.IntegerField(
        min_value=int(limits.SEED.low),
        max_value=int(limits.SEED.high),
        initial=2022,
        required=False,
        help_text="Same suite, version and seed: the same tasks, so results from different models compare.",
    )
    tasks_per_level = forms.IntegerField(
        label="Tasks per level",
        min_value=int(limits.TASKS_PER_LEVEL.low),
        max_value=int(limits.TASKS_PER_LEVEL.high),
        initial=20,
    )
    model_name = forms.CharField(
        label="Model",
        max_length=limits.MODEL_NAME_MAX,
        required=False,
        help_text="For uploaded completions: the model that wrote them.",
    )
    model_version = forms.CharField(label="Model version", max_length=limits.MODEL_VERSION_MAX, required=False)
    endpoint = forms.TypedChoiceField(label="Endpoint", coerce=int, empty_value=None, required=False)
    completions = forms.FileField(
        label="Completions file",
        required=False,
        help_text="JSONL with task_id, completion and an optional sample_index per line (HumanEval harness output).",
    )

    def __init__(self, *args, endpoints=(), custom_suites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suite"].choices = [*suite_choices(), *([(CUSTOM, "One of your suites")] if custom_suites else [])]
        self.fields["custom_suite"].choices = [("", "—"), *((s.pk, s.name) for s in custom_suites)]
        self.fields["endpoint"].choices = [("", "—"), *((e.pk, str(e)) for e in endpoints)]

    def clean(self):
        data = super().clean()
        if data.get("source") == RunSource.UPLOAD:
            if not data.get("completions"):
                self.add_error("completions", "Choose the file of completions to upload.")
            if not data.get("model_name"):
                self.add_error("model_name", "Name the model that wrote the completions.")
        elif data.get("source") == RunSource.ENDPOINT and not data.get("endpoint"):
            self.add_error("endpoint", "Choose the endpoint to ask.")
        return data


class EndpointForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(max_length=limits.ENDPOINT_NAME_MAX)
    base_url = forms.CharField(
        label="Base URL",
        max_length=limits.BASE_URL_MAX,
        help_text="OpenAI-compatible, e.g. https://api.example.com/v1 (chat/completions is added).",
    )
    model = forms.CharField(max_length=limits.MODEL_NAME_MAX)
    temperature = forms.FloatField(min_value=limits.TEMPERATURE.low, max_value=limits.TEMPERATURE.high, initial=0.2)
    samples_per_task = forms.IntegerField(
        label="Samples per task",
        min_value=int(limits.SAMPLES_PER_TASK.low),
        max_value=int(limits.SAMPLES_PER_TASK.high),
        initial=5,
    )
    max_tokens = forms.IntegerField(
        label="Max tokens", min_value=int(limits.MAX_TOKENS.low), max_value=int(limits.MAX_TOKENS.high), initial=512
    )
    api_key = forms.CharField(
        label="API key",
        max_length=limits.API_KEY_MAX,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the current key.",
    )


class SuiteUploadForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    tasks = forms.FileField(
        label="Tasks file",
        help_text=(
            f"HumanEval JSONL: task_id, prompt, entry_point, test; optional level "
            f"({limits.LEVEL.low:g}–{limits.LEVEL.high:g}), canonical_solution, attributes."
        ),
    )


class CitationForm(forms.Form):
    run = forms.TypedChoiceField(label="Evaluation run", coerce=int)
    relation = forms.ChoiceField(choices=EvidenceRelation.choices, label="How the hazard responds to capability")
    level = forms.IntegerField(
        label="Level the hazard needs",
        min_value=limits.LEVEL.low,
        max_value=limits.LEVEL.high,
        required=False,
        help_text="Capability-enabled hazards: e.g. rubric level 4 for system-level code. Empty: the highest measured.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=limits.NOTE_MAX, required=False)

    def __init__(self, *args, runs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = [
            (run.pk, f"{run.ref} · {run.model_name} {run.model_version} · {run.suite_key}") for run in runs
        ]
