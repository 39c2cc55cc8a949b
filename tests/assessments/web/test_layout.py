"""The page frame: vendored htmx under a strict CSP, CSRF for htmx, accessible landmarks, Vary: HX-Request."""

import re

import pytest
from django.urls import reverse

from tests.factories import make_hazard

PAGES = ["home", "project_list", "notifications", "catalogue", "assessment", "scenario", "project", "login"]


@pytest.fixture
def page_html(assessment, contributor, client_for, client):
    scenario = make_hazard(assessment, contributor)
    signed_in = client_for(contributor)

    def get(name: str):
        if name == "login":
            return client.get(reverse("login"))
        url = {
            "assessment": reverse("assessment_detail", args=[assessment.pk]),
            "scenario": reverse("hazard_detail", args=[scenario.pk]),
            "project": reverse("project_detail", args=[assessment.project_id]),
        }.get(name) or reverse(name)
        return signed_in.get(url)

    return get


@pytest.mark.parametrize("name", PAGES)
def test_pages_load_only_local_scripts_and_no_inline_script_or_style(name, page_html):
    response = page_html(name)
    html = response.content.decode()
    assert response.status_code == 200
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == [
        '<script src="/static/vendor/htmx-2.0.11.min.js" defer>',
        '<script src="/static/js/hazlog.js" defer>',
    ]
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\shx-on", html)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp


@pytest.mark.parametrize("name", PAGES)
def test_pages_configure_htmx_for_the_csp_and_send_the_csrf_token(name, page_html):
    html = page_html(name).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, "allowEval": false' in html
    token = re.search(r'<body hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'>', html)
    assert token and len(token.group(1)) >= 32


@pytest.mark.parametrize("name", PAGES)
def test_pages_have_a_skip_link_a_main_landmark_and_labelled_controls(name, page_html):
    html = page_html(name).content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in control:
            continue
        ident = re.search(r'\sid="([^"]+)"', control)
        assert ident, f"control without id (and so without label): {control}"
        assert f'for="{ident.group(1)}"' in html, f"no label for {control}"


def test_every_view_varies_on_the_htmx_header(assessment, contributor, client_for):
    response = client_for(contributor).get(reverse("assessment_detail", args=[assessment.pk]))
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("name", PAGES)
def test_no_asset_is_loaded_from_another_origin(name, page_html):
    html = page_html(name).content.decode()
    assets = re.findall(r'<(?:script|link|img)\b[^>]*(?:src|href)="([^"]*)"', html)
    assert assets
    assert all(url.startswith("/static/") for url in assets), assets
