"""Take the README's screenshots of the main pages with Playwright and Debian's Chromium.

Run it against a server with the demo data (`make run` serves one on http://127.0.0.1:8000):

    .venv/bin/python scripts/screenshots.py [--base-url http://127.0.0.1:8000] [--out docs/screenshots]

It only reads: it signs in as the demo users (password hazlog-demo), opens pages and an inline editor
without saving, and writes one PNG per page.
"""

import argparse
import os
import re
import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "hazlog-demo"  # noqa: S105 - the published demo password
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]
IDE_ASSESSMENT = "IDE assistant — first rollout wave"
REVIEW_BOT = "Code-review bot — pilot"


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def open_assessment(page: Page, base: str, title: str, revision: int | None = None) -> None:
    page.goto(f"{base}/projects/")
    page.get_by_role("link", name="Coding assistant rollout").click()
    links = page.get_by_role("link", name=title, exact=True)
    if revision is None:
        links.first.click()
    else:
        row = page.locator("tr", has=page.get_by_role("link", name=title, exact=True)).filter(
            has=page.locator("td.num", has_text=re.compile(rf"^{revision}$"))
        )
        row.get_by_role("link", name=title, exact=True).click()
    expect(page.locator("#register")).to_be_visible()


def shoot(page: Page, out: Path, name: str, *, element: str | None = None) -> None:
    page.wait_for_timeout(400)  # let htmx settle and fonts render
    path = out / f"{name}.png"
    if element:
        page.locator(element).screenshot(path=path)
    else:
        page.screenshot(path=path)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    base = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1366, "height": 900}, device_scale_factor=1)
        page.set_default_timeout(15_000)

        sign_in(page, base, "olivia")
        shoot(page, args.out, "my-work")
        page.goto(f"{base}/projects/")
        page.get_by_role("link", name="Coding assistant rollout").click()
        shoot(page, args.out, "project")

        sign_in(page, base, "alice")
        open_assessment(page, base, IDE_ASSESSMENT)
        shoot(page, args.out, "assessment")
        page.locator("#register").scroll_into_view_if_needed()
        first_row = page.locator("#register tbody tr").first
        first_row.get_by_role("link", name="Edit").click()
        expect(page.locator("#register tr.editing")).to_be_visible()
        shoot(page, args.out, "register-inline-edit", element="#register")
        page.locator("#register tr.editing").get_by_role("link", name="Cancel").click()
        shoot(page, args.out, "mitigations-board", element="#mitigations")

        page.locator("#register tbody tr").nth(3).locator("td.title a").click()
        expect(page.locator("#ratings")).to_be_visible()
        shoot(page, args.out, "scenario")

        open_assessment(page, base, IDE_ASSESSMENT)
        page.get_by_role("link", name="Add from the catalogue").click()
        page.get_by_label("Area").select_option("security")
        expect(page.get_by_text(re.compile(r"templates? match"))).to_be_visible()
        for box in page.locator('input[name="templates"]:not([aria-describedby])').all()[:2]:
            box.check()
        shoot(page, args.out, "catalogue")

        open_assessment(page, base, REVIEW_BOT, revision=2)
        page.get_by_role("link", name="what changed").click()
        expect(page.get_by_role("heading", name=re.compile("What changed"))).to_be_visible()
        shoot(page, args.out, "revision-diff")

        sign_in(page, base, "carol")
        open_assessment(page, base, REVIEW_BOT, revision=1)
        shoot(page, args.out, "sign-off", element="#status-panel")

        page.set_viewport_size({"width": 768, "height": 1024})
        open_assessment(page, base, IDE_ASSESSMENT)
        shoot(page, args.out, "tablet")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
