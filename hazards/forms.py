"""Browser forms of the hazards app: they parse input into service arguments; services enforce the rules."""

from django import forms

from assessments import renderers
from assessments.forms import DATE, VersionedForm
from hazards import scoring
from hazards.models import AffectedParty, Category, HarmType, MitigationKind, MitigationStatus, Treatment
from hazards.selectors import HAZARD_SORTS, HazardFilters
from hazards.services.scenarios import EXTERNAL_REF_MAX_LENGTH, RATING_FIELDS, SCENARIO_FIELDS

_RATING_LABELS = {
    "inherent_likelihood": "Inherent likelihood",
    "inherent_severity": "Inherent severity",
    "residual_likelihood": "Residual likelihood",
    "residual_severity": "Residual severity",
}


def axis_choices(matrix: dict, axis: str, blank: str | None = "Unrated") -> list[tuple]:
    choices = [(level["value"], f"{level['value']} · {level['name']}") for level in matrix[axis]]
    return [("", blank), *choices] if blank is not None else choices


class MemberChoiceField(forms.TypedChoiceField):
    """A project member (or nobody), chosen from a list the view already loaded: no query per form."""

    def __init__(self, *, members, **kwargs):
        self.members = {str(user.pk): user for user in members}
        choices = [("", "—"), *((str(user.pk), user.get_username()) for user in members)]
        super().__init__(choices=choices, coerce=lambda pk: self.members[pk], empty_value=None, **kwargs)

    def prepare_value(self, value):
        return str(value.pk) if hasattr(value, "pk") else value


LONG_FIELDS = ("title", "description", "causes", "affected_parties")


class ScenarioFields:
    """Builds scenario fields whose rating choices come from the assessment's own matrix."""

    # The register's forms come with every register fragment: their inputs are written in Python.
    default_renderer = renderers.FAST_INPUTS

    field_names: list[str] = []

    def long_fields(self):
        """Free-text fields, laid out full width."""
        return [self[name] for name in self.fields if name in LONG_FIELDS]

    def short_fields(self):
        """Choices and ratings, laid out in a grid."""
        return [self[name] for name in self.fields if name not in LONG_FIELDS and name != "version"]

    def add_scenario_fields(self, *, matrix: dict, members) -> None:
        builders = {
            "title": lambda: forms.CharField(max_length=200),
            "external_ref": lambda: forms.CharField(
                label="External reference",
                max_length=EXTERNAL_REF_MAX_LENGTH,
                required=False,
                help_text="Its id in another register, e.g. the tool it was imported from.",
            ),
            "description": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False),
            "category": lambda: forms.ChoiceField(choices=Category.choices, initial=Category.OTHER),
            "causes": lambda: forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False),
            "affected_parties": lambda: forms.CharField(
                label="Affected parties", widget=forms.Textarea(attrs={"rows": 2}), required=False
            ),
            "treatment": lambda: forms.ChoiceField(choices=Treatment.choices, initial=Treatment.MITIGATE),
            "owner": lambda: MemberChoiceField(members=members, required=False),
        }
        for name in self.field_names:
            if name in RATING_FIELDS:
                axis = name.split("_")[1]
                self.fields[name] = forms.TypedChoiceField(
                    label=_RATING_LABELS[name],
                    choices=axis_choices(matrix, axis),
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
            else:
                self.fields[name] = builders[name]()


class HazardAddForm(ScenarioFields, forms.Form):
    """The register's inline "add a scenario" row."""

    field_names = ["title", "category", *RATING_FIELDS, "treatment", "owner"]

    def __init__(self, *args, matrix: dict, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_scenario_fields(matrix=matrix, members=members)


class HazardRowForm(ScenarioFields, VersionedForm):
    """The register's inline edit of one row."""

    field_names = ["title", "category", *RATING_FIELDS, "treatment", "owner"]

    def __init__(self, *args, matrix: dict, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_scenario_fields(matrix=matrix, members=members)
        # The row opens with the focus in it, so keyboard users land where they asked to edit.
        self.fields["title"].widget.attrs["autofocus"] = True


class HazardForm(ScenarioFields, VersionedForm):
    """Every field of a scenario, on its own page."""

    field_names = SCENARIO_FIELDS

    def __init__(self, *args, matrix: dict, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_scenario_fields(matrix=matrix, members=members)


def scenario_initial(scenario, field_names) -> dict:
    return {**{name: getattr(scenario, name) for name in field_names}, "version": scenario.version}


class ConsequenceForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    harm_type = forms.ChoiceField(label="Harm type", choices=HarmType.choices)
    affected_party = forms.ChoiceField(label="Affected party", choices=AffectedParty.choices)

    def __init__(self, *args, matrix: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["severity"] = forms.TypedChoiceField(
            choices=axis_choices(matrix, "severity", blank=None), coerce=int
        )


class ConsequenceEditForm(VersionedForm, ConsequenceForm):
    pass


class MitigationForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    kind = forms.ChoiceField(
        choices=MitigationKind.choices, help_text="In order of precedence: prefer the first that is practicable."
    )
    status = forms.ChoiceField(choices=MitigationStatus.choices, initial=MitigationStatus.PROPOSED)
    due_date = forms.DateField(label="Due date", required=False, widget=DATE)
    verification_note = forms.CharField(
        label="Verification note", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    external_system = forms.CharField(label="Ticket system", max_length=50, required=False, help_text="e.g. jira")
    external_key = forms.CharField(label="Ticket key", max_length=100, required=False, help_text="e.g. SEC-123")
    external_url = forms.URLField(label="Ticket link", max_length=500, required=False, assume_scheme="https")

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = MemberChoiceField(members=members, required=False)
        self.order_fields(["title", "description", "kind", "owner", "status", "due_date"])


class MitigationEditForm(VersionedForm, MitigationForm):
    pass


class MitigationStatusForm(VersionedForm):
    status = forms.ChoiceField(choices=MitigationStatus.choices)


class AcceptanceForm(forms.Form):
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Why this residual risk is acceptable."
    )
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="What must stay true for it to hold."
    )
    expires_on = forms.DateField(label="Expires on", widget=DATE)


class RevokeForm(VersionedForm):
    reason = forms.CharField(label="Why revoke", widget=forms.Textarea(attrs={"rows": 2}))


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mention people with @username to notify them.",
    )


class RegisterFilterForm(forms.Form):
    """The register's filters, sort and page, from the query string; bad values are simply ignored."""

    default_renderer = renderers.FAST_INPUTS

    q = forms.CharField(label="Search", required=False, max_length=100)
    category = forms.ChoiceField(choices=[("", "All categories"), *Category.choices], required=False)
    stage = forms.ChoiceField(
        label="Rating", choices=[("residual", "Residual"), ("inherent", "Inherent")], required=False
    )
    treatment = forms.ChoiceField(choices=[("", "Any treatment"), *Treatment.choices], required=False)
    likelihood = forms.IntegerField(required=False, min_value=1, max_value=10, widget=forms.HiddenInput)
    severity = forms.IntegerField(required=False, min_value=1, max_value=10, widget=forms.HiddenInput)
    sort = forms.ChoiceField(choices=[(key, key) for key in HAZARD_SORTS], required=False)
    dir = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False)

    def __init__(self, *args, matrix: dict, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"] = forms.ChoiceField(
            label="Risk level",
            choices=[("", "Any level"), *((lvl.key, lvl.name) for lvl in reversed(scoring.levels(matrix)))],
            required=False,
        )
        self.fields["owner"] = forms.TypedChoiceField(
            choices=[("", "Anyone"), *((user.pk, user.get_username()) for user in members)],
            coerce=int,
            empty_value=None,
            required=False,
        )
        self.order_fields(["q", "category", "level", "stage", "treatment", "owner"])

    def filters(self) -> HazardFilters:
        # Values that do not parse are simply left out of cleaned_data: a bad bookmark shows the whole register.
        self.is_valid()
        data = self.cleaned_data
        return HazardFilters(
            category=data.get("category") or "",
            risk_level=data.get("level") or "",
            stage=data.get("stage") or "residual",
            treatment=data.get("treatment") or "",
            owner=data.get("owner"),
            q=(data.get("q") or "").strip(),
            likelihood=data.get("likelihood"),
            severity=data.get("severity"),
            sort=data.get("sort") or "ref",
            descending=data.get("dir") == "desc",
        )

    def is_filtered(self) -> bool:
        f = self.filters()
        return bool(f.category or f.risk_level or f.treatment or f.owner or f.q or (f.likelihood and f.severity))
