"""Evidence files in Chromium: upload one on a scenario's page, see it listed, download it (the same bytes),
see an impostor refused in place, and remove the file after confirming."""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from hazards.models import Attachment
from tests import attachment_files as files
from tests.factories import make_hazard

pytestmark = pytest.mark.e2e


def test_a_contributor_uploads_downloads_and_removes_evidence(
    assessment, contributor, browser_for, live_server, attachment_root
):
    scenario = make_hazard(assessment, contributor, title="Vulnerable dependency suggested")
    page = browser_for(contributor)
    page.goto(f"{live_server.url}/hazards/{scenario.pk}/")
    section = page.locator("#attachments")
    expect(section.get_by_role("heading", name="Evidence files and links")).to_be_visible()

    # Upload (htmx swaps the section in place).
    section.get_by_label("Evidence file").set_input_files(
        {"name": "pen-test.pdf", "mimeType": "application/pdf", "buffer": files.PDF}
    )
    section.get_by_role("button", name="Upload evidence").click()
    expect(section.get_by_text("pen-test.pdf kept as evidence")).to_be_visible()
    link = section.get_by_role("link", name="pen-test.pdf")
    expect(link).to_be_visible()
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(files.PDF).hexdigest()
    expect(section).to_contain_text(attachment.sha256[:12])

    # Download: a file, not a page, with exactly the bytes uploaded.
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "pen-test.pdf"
    assert Path(download.path()).read_bytes() == files.PDF

    # An HTML page named .png is refused in the section; nothing is added.
    section.get_by_label("Evidence file").set_input_files(
        {"name": "chart.png", "mimeType": "image/png", "buffer": files.HTML}
    )
    section.get_by_role("button", name="Upload evidence").click()
    expect(section.get_by_text("content is an HTML report, but its name ends in .png")).to_be_visible()
    assert Attachment.objects.count() == 1

    # Remove, after the browser asks.
    page.once("dialog", lambda dialog: dialog.accept())
    section.get_by_role("button", name="Remove").click()
    expect(section.get_by_text("pen-test.pdf removed from the evidence.")).to_be_visible()
    expect(section.get_by_text("No evidence files or links yet.")).to_be_visible()
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in attachment_root.rglob("*"))
    assert page.console_errors == []
