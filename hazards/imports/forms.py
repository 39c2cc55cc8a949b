"""Forms of the import wizard."""

from django import forms

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
