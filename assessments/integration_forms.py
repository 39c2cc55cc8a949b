"""Browser forms for integrations: personal API tokens and a project's webhook endpoints (they parse input;
the services validate the rules and write)."""

import datetime

from django import forms
from django.utils import timezone

from assessments.forms import DATE, VersionedForm


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="The client that will use it, e.g. “Jira sync”.")
    expires_on = forms.DateField(
        label="Expires on", required=False, widget=DATE, help_text="Leave empty for a token that does not expire."
    )
    read_only = forms.BooleanField(label="Read-only (GET only)", required=False)

    def expires_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        # The token works through the whole of the chosen day, in UTC.
        return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return day


def _event_types(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


class WebhookForm(forms.Form):
    url = forms.URLField(label="Payload URL", max_length=500, assume_scheme="https")
    event_types = forms.CharField(
        label="Events",
        required=False,
        help_text="Event types separated by spaces, e.g. “mitigation.* assessment.approved”; empty means all.",
    )
    description = forms.CharField(max_length=200, required=False)

    def clean_event_types(self) -> list[str]:
        return _event_types(self.cleaned_data.get("event_types", ""))


class WebhookCreateForm(WebhookForm):
    secret = forms.CharField(
        required=False,
        min_length=16,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to have one generated; it is shown once.",
    )


class WebhookEditForm(WebhookForm, VersionedForm):
    active = forms.BooleanField(label="Active (deliver events)", required=False)
    secret = forms.CharField(
        label="New secret",
        required=False,
        min_length=16,
        max_length=128,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the current secret.",
    )
