"""The interactive API docs at /api/v1/docs/ work in a real browser under the strict CSP, with local assets."""

import pytest


@pytest.mark.e2e
def test_the_docs_page_renders_every_operation_without_breaking_the_csp(page, live_server, client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operations = sum(len(methods) for methods in schema["paths"].values())
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(f"{live_server.url}/api/v1/docs/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() == operations
    assert page.get_by_text("Hazlog API").first.is_visible()
    page.locator(".opblock-summary", has_text="/api/v1/mitigations/by-ticket/").first.click()
    page.wait_for_selector("text=If-Match")
    assert problems == []
    assert all(url.startswith(live_server.url) for url in requested), "every asset comes from our own server"
