"""The OpenAPI schema is valid and complete, and every setting the API reads is documented."""

import re
import subprocess
import sys
from pathlib import Path

from django.urls import get_resolver

ROOT = Path(__file__).resolve().parents[2]


def test_the_schema_generates_without_warnings_and_validates():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_api_route_is_in_the_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    documented = {re.sub(r"\{[^}]+\}", "{}", path) for path in schema["paths"]}
    routes = set()
    for pattern in get_resolver().url_patterns:
        if str(pattern.pattern) != "api/v1/":
            continue
        for sub in pattern.url_patterns:
            route = str(sub.pattern)
            if route in ("schema/", "docs/", "^$", r"^[\s\S]*$") or "format" in route:
                continue
            path = "/api/v1/" + re.sub(r"\(\?P<[^>]+>[^)]+\)", "{}", route).lstrip("^").rstrip("$")
            routes.add(path)
    routes.discard("/api/v1/")  # the router's index of endpoints
    assert len(routes) > 20 and routes <= documented, routes - documented


def test_every_environment_variable_is_in_env_example_and_the_readme():
    settings_text = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r'env_(?:str|bool|int|float|list)\(\s*"([A-Z0-9_]+)"', settings_text))
    env_example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert {n for n in names if f"\n{n}=" not in env_example} == set()
    assert {n for n in names if f"`{n}`" not in readme} == set()
