"""Browser forms for evidence: a file upload and a link. Their limits come from limits.py; the service decides."""

from django import forms

from hazards.attachments import limits


class AttachmentUploadForm(forms.Form):
    file = forms.FileField(label="Evidence file", allow_empty_file=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"At most {limits.size_label(limits.max_bytes())}. Kept: {limits.describe_allowed()}. "
            "The type is read from the file itself."
        )


class AttachmentLinkForm(forms.Form):
    url = forms.CharField(
        label="Link",
        max_length=limits.URL_MAX,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="An http:// or https:// address (a ticket, a test run, a report).",
    )
    title = forms.CharField(label="Title", max_length=limits.NAME_MAX, required=False)
