"""The one form of the second factor: a 6-digit code from an authenticator app, or a recovery code."""

from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="Lost the app? Type one of your recovery codes instead.",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )
