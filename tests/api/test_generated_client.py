"""A client generated from the OpenAPI schema round-trips a create, a conditional update and a list.

The generator (openapi-python-client) runs in its own environment, `.venv-tools` (made by `make test`;
its httpx pin clashes with Hazlog's); the client it writes runs here, against a live server, and parses
every answer with the models the schema describes. If the schema lies about a response, parsing fails.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assessments.services import tokens
from hazards.models import HazardScenario

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(os.environ.get("HAZLOG_CLIENT_GENERATOR", ROOT / ".venv-tools" / "bin" / "openapi-python-client"))
PACKAGE = "hazlog_generated_client"


@pytest.fixture
def generated(tmp_path, client):
    """The client package generated from the served schema, imported."""
    if not GENERATOR.exists():
        # `make test` builds it; a run without it must not pass as if the contract held.
        pytest.fail(f"{GENERATOR} is missing: `make test` installs it from tools/client-generator.txt.")
    schema = tmp_path / "schema.json"
    schema.write_bytes(client.get("/api/v1/schema/?format=json").content)
    result = subprocess.run(
        [GENERATOR, "generate", "--path", schema, "--meta", "none", "--output-path", tmp_path / PACKAGE],
        capture_output=True,
        text=True,
        timeout=300,
        # Its own bin first: the generator formats what it writes with the ruff installed beside it.
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ['PATH']}"},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing of the schema may be left out of the client ("some pieces may be missing" otherwise).
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_generated_client_creates_updates_conditionally_and_lists(generated, live_server, assessment, contributor):
    client_module = generated("client")
    create = generated("api.hazards.hazards_create")
    update = generated("api.hazards.hazards_partial_update")
    listing = generated("api.hazards.hazards_list")
    models = generated("models")
    _, raw = tokens.token_create(user=contributor, name="generated client")
    # Closed at the end: a kept-alive connection would hold a live-server thread (and its database session).
    with client_module.AuthenticatedClient(base_url=live_server.url, token=raw, raise_on_unexpected_status=True) as api:
        created = create.sync_detailed(
            client=api,
            body=models.HazardCreateRequest(assessment=assessment.pk, title="Hallucinated package names"),
            idempotency_key="generated-client-1",
        )
        assert created.status_code == 201
        hazard = created.parsed
        assert isinstance(hazard, models.Hazard) and hazard.ref == "H-001" and hazard.version == 1
        etag = created.headers["ETag"]

        changed = update.sync_detailed(
            id=str(hazard.id),
            client=api,
            body=models.PatchedHazardUpdateRequest(residual_likelihood=2, external_ref="R-12"),
            if_match=etag,
        )
        assert changed.status_code == 200
        assert (changed.parsed.version, changed.parsed.residual_likelihood, changed.parsed.external_ref) == (
            2,
            2,
            "R-12",
        )
        # The tag it started from is stale now: refused, parsed as the schema's stale-version error.
        stale = update.sync_detailed(
            id=str(hazard.id), client=api, body=models.PatchedHazardUpdateRequest(title="Overwrite"), if_match=etag
        )
        assert stale.status_code == 412 and isinstance(stale.parsed, models.StaleVersionError)
        assert HazardScenario.objects.get(pk=hazard.id).title == "Hallucinated package names"

        page = listing.sync(client=api, assessment=assessment.pk, page_size=10)
        assert isinstance(page, models.PaginatedHazardList)
        assert [(h.ref, h.version, h.external_ref) for h in page.results] == [("H-001", 2, "R-12")]
