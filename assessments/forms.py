"""Browser forms of the assessments app: they parse input; the services validate the rules and write."""

from django import forms
from django.contrib.auth.models import User

from assessments.models import SPEC_LEVELS, DeploymentChannel, ReviewPractice, Role, UserExpertise
from assessments.services.assessments import CHAIN_STEPS_MAX
from hazards import scoring

PRESET_CHOICES = [(key, data["name"]) for key, data in scoring.PRESETS.items()]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionedForm(forms.Form):
    """Edits carry the version they started from, so a stale save is refused instead of overwriting."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ProjectCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    matrix_preset = forms.ChoiceField(
        label="Risk matrix", choices=PRESET_CHOICES, help_text="You can edit the matrix later in the settings."
    )
    required_approvals = forms.IntegerField(
        min_value=1, max_value=10, initial=1, help_text="Distinct approvers needed to approve an assessment."
    )
    review_cadence_days = forms.IntegerField(
        label="Review cadence (days)",
        min_value=1,
        max_value=3650,
        initial=180,
        help_text="Re-assess at least this often.",
    )
    max_acceptance_days = forms.IntegerField(
        label="Longest risk acceptance (days)", min_value=1, max_value=3650, initial=365
    )


class ProjectSettingsForm(VersionedForm):
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    required_approvals = forms.IntegerField(min_value=1, max_value=10)
    review_cadence_days = forms.IntegerField(label="Review cadence (days)", min_value=1, max_value=3650)
    max_acceptance_days = forms.IntegerField(label="Longest risk acceptance (days)", min_value=1, max_value=3650)


class MatrixPresetForm(VersionedForm):
    matrix_preset = forms.ChoiceField(
        label="Replace the matrix with a preset",
        choices=PRESET_CHOICES,
        help_text="New assessments use the project's matrix; existing ones keep their own copy.",
    )


class MatrixForm(VersionedForm):
    """Edit a matrix's axis and level names, its grid and its sign-off level (the shape stays)."""

    name = forms.CharField(label="Matrix name", max_length=200)

    def __init__(self, *args, matrix: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        level_choices = [(level["key"], level["name"]) for level in matrix["levels"]]
        self.fields["name"].initial = matrix.get("name", "")
        for axis in ("likelihood", "severity"):
            for level in matrix[axis]:
                name = forms.CharField(label=f"{axis.title()} {level['value']}", max_length=100, initial=level["name"])
                self.fields[f"{axis}_{level['value']}_name"] = name
                self.fields[f"{axis}_{level['value']}_description"] = forms.CharField(
                    label=f"{axis.title()} {level['value']} description",
                    required=False,
                    initial=level.get("description", ""),
                    widget=forms.TextInput,
                )
        for level in matrix["levels"]:
            self.fields[f"level_{level['key']}_name"] = forms.CharField(
                label=f"Name of level “{level['name']}”", max_length=40, initial=level["name"]
            )
            self.fields[f"level_{level['key']}_acceptance"] = forms.CharField(
                label=f"Who accepts “{level['name']}”", required=False, initial=level.get("acceptance", "")
            )
        for s, row in enumerate(matrix["grid"], start=1):
            severity_name = matrix["severity"][s - 1]["name"]
            for lik, cell in enumerate(row, start=1):
                self.fields[f"cell_{s}_{lik}"] = forms.ChoiceField(
                    label=f"Severity {severity_name}, likelihood {matrix['likelihood'][lik - 1]['name']}",
                    choices=level_choices,
                    initial=cell,
                )
        self.fields["signoff_level"] = forms.ChoiceField(
            label="Sign-off needs a mitigation or acceptance from",
            choices=level_choices,
            initial=matrix["signoff_level"],
        )

    def axis_rows(self, axis: str):
        return [
            (self[f"{axis}_{level['value']}_name"], self[f"{axis}_{level['value']}_description"])
            for level in self.matrix[axis]
        ]

    def likelihood_rows(self):
        return self.axis_rows("likelihood")

    def severity_rows(self):
        return self.axis_rows("severity")

    def level_rows(self):
        return [
            (self[f"level_{level['key']}_name"], self[f"level_{level['key']}_acceptance"])
            for level in self.matrix["levels"]
        ]

    def grid_rows(self):
        """Rows from the highest severity down, as the heat map shows them."""
        rows = []
        for s in range(len(self.matrix["severity"]), 0, -1):
            rows.append(
                (
                    self.matrix["severity"][s - 1]["name"],
                    [self[f"cell_{s}_{lik}"] for lik in range(1, len(self.matrix["likelihood"]) + 1)],
                )
            )
        return rows

    def edited_matrix(self) -> dict:
        data = self.cleaned_data
        matrix = {**self.matrix, "name": data["name"], "signoff_level": data["signoff_level"]}
        for axis in ("likelihood", "severity"):
            matrix[axis] = [
                {
                    **level,
                    "name": data[f"{axis}_{level['value']}_name"],
                    "description": data[f"{axis}_{level['value']}_description"],
                }
                for level in self.matrix[axis]
            ]
        matrix["levels"] = [
            {
                **level,
                "name": data[f"level_{level['key']}_name"],
                "acceptance": data[f"level_{level['key']}_acceptance"],
            }
            for level in self.matrix["levels"]
        ]
        matrix["grid"] = [
            [data[f"cell_{s}_{lik}"] for lik in range(1, len(row) + 1)]
            for s, row in enumerate(self.matrix["grid"], start=1)
        ]
        matrix.pop("preset", None)
        return matrix


class MemberAddForm(forms.Form):
    username = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)

    def clean_username(self) -> User:
        value = self.cleaned_data["username"].strip()
        user = (
            User.objects.filter(is_active=True, username__iexact=value).first()
            or User.objects.filter(is_active=True, email__iexact=value).first()
        )
        if user is None:
            raise forms.ValidationError(f"No active user is called or has the e-mail “{value}”.")
        return user


class RoleForm(VersionedForm):
    role = forms.ChoiceField(choices=Role.choices)


class AssessmentForm(forms.Form):
    title = forms.CharField(max_length=200)
    model_name = forms.CharField(label="Model", max_length=200, required=False)
    model_version = forms.CharField(label="Model version", max_length=100, required=False)
    deployment_channel = forms.ChoiceField(
        label="Deployment channel", choices=[("", "—"), *DeploymentChannel.choices], required=False
    )
    user_population = forms.CharField(
        label="Users",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Who uses the model, how many.",
    )
    application_domain = forms.CharField(
        label="Application domain", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    typical_spec_level = forms.TypedChoiceField(
        label="Typical specification level",
        choices=[("", "—"), *SPEC_LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="What users typically ask the model for; capability evidence compares it with what the model "
        "does reliably.",
    )
    typical_chain_steps = forms.IntegerField(
        label="Typical chained steps",
        min_value=1,
        max_value=CHAIN_STEPS_MAX,
        required=False,
        help_text="How many steps a typical request chains (for the chained-steps suite).",
    )
    user_expertise = forms.ChoiceField(
        label="User expertise", choices=[("", "—"), *UserExpertise.choices], required=False
    )
    review_practice = forms.ChoiceField(
        label="Review of generated code", choices=[("", "—"), *ReviewPractice.choices], required=False
    )
    due_date = forms.DateField(label="Due date", required=False, widget=DATE)
    next_review_date = forms.DateField(label="Next review", required=False, widget=DATE)


class AssessmentContextForm(VersionedForm, AssessmentForm):
    pass


class AssessmentDatesForm(VersionedForm):
    """Planning dates stay editable after submission (they are not signed content)."""

    due_date = forms.DateField(label="Due date", required=False, widget=DATE)
    next_review_date = forms.DateField(label="Next review", required=False, widget=DATE)


class RequestChangesForm(VersionedForm):
    comment = forms.CharField(
        label="What needs to change", widget=forms.Textarea(attrs={"rows": 3}), help_text="Sent to the contributors."
    )


class ApproveForm(forms.Form):
    seen_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    comment = forms.CharField(label="Comment (optional)", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class TransitionForm(VersionedForm):
    """Submit and archive: nothing to fill in but the version the user saw."""
