"""In the browser: request a PDF export on the assessment page, watch its progress bar advance, download it."""

import pytest
from django.test import Client

from tests.jobs.conftest import fill_register

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def signed_in_page(new_context, live_server, user):
    client = Client()
    client.force_login(user)
    context = new_context(accept_downloads=True)
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    # A CSP violation or a script error shows up in the console.
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


def test_a_pdf_export_shows_its_progress_and_can_be_downloaded(
    live_server, new_context, assessment, contributor, approver, workers, tmp_path
):
    fill_register(assessment, contributor, approver, scenarios=6)
    # Each progress step pauses a little in the worker, so that the browser sees the bar move.
    workers(HAZLOG_TEST_PROGRESS_DELAY="0.8")
    page = signed_in_page(new_context, live_server, contributor)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/")
    panel = page.locator("#exports")
    panel.get_by_label("PDF report").check()
    panel.get_by_role("button", name="Export").click()
    row = panel.locator("tbody tr").first
    seen: list[int] = []
    download_link = row.get_by_role("link", name="Download")
    for _ in range(300):
        if download_link.count():
            break
        # Read the bar in one step: the row may be swapped for its finished state between two calls.
        values = row.locator("progress").evaluate_all("bars => bars.map(bar => bar.getAttribute('value'))")
        value = values[0] if values else None
        if value is not None and (not seen or int(value) != seen[-1]):
            seen.append(int(value))
        page.wait_for_timeout(100)
    assert download_link.count() == 1, f"the export never finished; progress seen: {seen}"
    # The bar advanced: it showed work part-done, and never went backwards.
    assert any(0 < value < 100 for value in seen), seen
    assert seen == sorted(seen)
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.startswith("ide-assistant-rollout-rev1-")
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert page.console_errors == []
