"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Shared by every e2e test: the launch arguments (see dependencies.md §6 and gotchas G2, G3, G6-G8), a
`sign_in` helper and a `browser_for` factory giving each user their own browser context.
"""

import pytest

PASSWORD = "correct horse battery staple"  # what tests.factories.UserFactory sets
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A laptop-sized window; tests that check the tablet layout open their own context.
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Managers land on the portfolio, everyone else on My work.
    page.wait_for_url(lambda url: url in (f"{live_server.url}/", f"{live_server.url}/portfolio/"))


@pytest.fixture
def browser_for(new_context, live_server):
    """browser_for(user) → a page in a fresh browser context, signed in as that user."""

    def make(user):
        context = new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors: list[str] = []
        # A CSP violation or a script error shows up in the console: collect them so tests can assert none.
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.console_errors = errors
        sign_in(page, live_server, user.username)
        return page

    return make
