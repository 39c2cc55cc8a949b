"""Forms of the import wizard."""

from django import forms

from hazards.imports import values
from hazards.imports.mapping import FIELDS, IGNORE


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Register file",
        help_text="An Excel workbook (.xlsx), a CSV file, or a Hazlog JSON export (.json).",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.json"}),
    )
    assessment = forms.TypedChoiceField(
        label="Add the rows to",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="A draft of this project, or a new assessment. JSON exports always become a new assessment.",
    )
    new_title = forms.CharField(label="Title of the new assessment", max_length=200, required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].choices = [("", "A new assessment")] + [
            (a.pk, f"{a.title} (rev. {a.revision}, {a.get_status_display().lower()})") for a in targets
        ]


def mapping_form(headers: list[str], initial: dict[str, str], data=None) -> forms.Form:
    """One choice per column of the file: which register field it holds, or ignore it."""
    choices = [(IGNORE, "— ignore this column —")] + [(f.key, f.label) for f in FIELDS]
    form = forms.Form(data)
    for index, header in enumerate(headers):
        if header:
            form.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=initial.get(header, IGNORE)
            )
    return form


def header_row_form(top: list, initial: int, data=None) -> forms.Form:
    """Which of the first rows holds the column names."""
    form = forms.Form(data)
    form.fields["header_row"] = forms.TypedChoiceField(
        label="Column names are on row",
        coerce=int,
        choices=[(number, f"{number}: {' · '.join(c for c in cells if c)[:80]}") for number, cells in top],
        initial=initial,
    )
    return form


def values_form(listed: dict[str, list[values.Value]], matrix: dict, data=None) -> forms.Form:
    """One choice per distinct value of the file's rating and choice columns."""
    form = forms.Form(data)
    for group, group_values in listed.items():
        for index, value in enumerate(group_values):
            form.fields[f"{group}__{index}"] = forms.ChoiceField(
                label=value.text,
                choices=values.options(group, matrix),
                required=False,
                initial=values.as_form_value(value),
            )
    return form


def chosen_values(form: forms.Form, listed: dict[str, list[values.Value]]) -> dict[str, dict]:
    """The service's {group: {value key: register value}} from a valid values form."""
    chosen: dict[str, dict] = {}
    for group, group_values in listed.items():
        for index, value in enumerate(group_values):
            register_value, mapped = values.from_form_value(group, form.cleaned_data.get(f"{group}__{index}", ""))
            if mapped:
                chosen.setdefault(group, {})[value.key] = register_value
    return chosen
