"""The register forms' fast paths (inputs written by the renderer, options by a filter) write what Django does."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from assessments.renderers import FAST_INPUTS, INPUT_TEMPLATES
from assessments.templatetags.hazlog_ui import select_options
from hazards import scoring
from hazards.forms import HazardAddForm, RegisterFilterForm


class Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="Some help")
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    email = forms.EmailField(initial='a"b@example.com')
    url = forms.URLField(
        required=False, assume_scheme="https", widget=forms.URLInput(attrs={"placeholder": "<https://…>"})
    )
    number = forms.IntegerField(min_value=1, max_value=10, initial=3)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="s&cret")
    hidden = forms.IntegerField(widget=forms.HiddenInput, initial=7)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date", "data-x": False}))
    safe = forms.CharField(initial=mark_safe("<b>already safe</b>"), disabled=True)


@pytest.mark.parametrize("data", [None, {"text": "x" * 30, "number": "abc", "email": "<script>"}])
def test_every_input_type_is_written_as_djangos_templates_write_it(data):
    django_form = Everything(data, renderer=DjangoTemplates())
    fast_form = Everything(data, renderer=FAST_INPUTS)
    for name in Everything.base_fields:
        assert str(fast_form[name]) == str(django_form[name]), name


def test_the_fast_path_covers_only_templates_that_are_one_include_of_input_html():
    engine = DjangoTemplates().engine
    for name in INPUT_TEMPLATES:
        source = engine.get_template(name).template.source.strip()
        assert source == '{% include "django/forms/widgets/input.html" %}', name


def test_the_register_forms_render_the_same_with_either_renderer(contributor):
    matrix = scoring.preset(scoring.DEFAULT_PRESET)
    members = [contributor]
    for form_class, kwargs in ((HazardAddForm, {"auto_id": "add_%s"}), (RegisterFilterForm, {})):
        fast = form_class(
            {"title": 'A "quoted" & <tagged> title', "q": "x&y"}, matrix=matrix, members=members, **kwargs
        )
        plain = form_class(
            {"title": 'A "quoted" & <tagged> title', "q": "x&y"},
            matrix=matrix,
            members=members,
            renderer=DjangoTemplates(),
            **kwargs,
        )
        assert fast.renderer is FAST_INPUTS
        for name in fast.fields:
            assert str(fast[name]) == str(plain[name]), name


class Choices(forms.Form):
    level = forms.ChoiceField(choices=[("", "Any level"), ("high", "High & <urgent>"), ("low", 'Low "ish"')])
    rating = forms.TypedChoiceField(choices=[(n, str(n)) for n in range(1, 6)], coerce=int, required=False)


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>[^<]*</option>", html)


@pytest.mark.parametrize("data", [None, {"level": "high", "rating": "3"}, {"level": "nonsense", "rating": "9"}])
def test_select_options_are_the_options_djangos_select_widget_writes(data):
    form = Choices(data, renderer=DjangoTemplates())
    for name in Choices.base_fields:
        assert _options(select_options(form[name])) == _options(str(form[name])), name
