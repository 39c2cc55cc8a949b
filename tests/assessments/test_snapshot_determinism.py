"""The same content gives the same bytes and hash: across runs, insertion orders and databases."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

from django.utils import timezone

from assessments import snapshot, verification
from hazards import services
from tests.factories import make_hazard

ROOT = Path(__file__).resolve().parents[2]

# A fixed content and its hash: if this changes, every stored hash stops verifying. Never update it
# without a new snapshot schema.
FIXED = {
    "schema": "hazlog.snapshot/1",
    "assessment": {"title": "Zürich rollout — “wave 1”", "revision": 1},
    "scenarios": [{"ref": "H-001", "consequences": [], "acceptances": [], "title": "Ünïcode ✓"}],
    "mitigations": [],
}
FIXED_CANONICAL = (
    '{"assessment":{"revision":1,"title":"Zürich rollout — “wave 1”"},"mitigations":[],'
    '"scenarios":[{"acceptances":[],"consequences":[],"ref":"H-001","title":"Ünïcode ✓"}],'
    '"schema":"hazlog.snapshot/1"}'
)
FIXED_SHA256 = "9899bdae485803308ccd2e08a13f44b4d7fcd16ffecf7c8e1f6c5f533a44cad0"  # also what sha256sum prints


def rich_assessment(assessment, contributor, approver, approver2, owner):
    """Content that would expose ordering and encoding slips: ties, unicode, several links and acceptances."""
    h1 = make_hazard(
        assessment, contributor, title="Code « plausible » mais faux — ☃", description="Line 1\r\nLine 2\ttab"
    )
    h2 = make_hazard(assessment, contributor, title="Secrets", owner=owner, treatment="accept")
    h3 = make_hazard(assessment, contributor, title="Unrated", residual_likelihood=None)
    for description in ("Same severity b", "Same severity a", "Same severity a"):
        services.consequence_create(
            hazard_id=h1.pk,
            by=contributor,
            description=description,
            harm_type="technical",
            affected_party="end_users",
            severity=3,
        )
    expires = timezone.localdate() + datetime.timedelta(days=30)
    for by, conditions in ((approver, "Only in pilot"), (approver2, "Only in pilot"), (approver, "Review monthly")):
        services.acceptance_grant(
            hazard_id=h2.pk, by=by, rationale="Same rationale", conditions=conditions, expires_on=expires
        )
    services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Gate",
        kind="technical_control",
        hazard_ids=[h3.pk, h1.pk, h2.pk],
    )
    services.mitigation_create(
        assessment_id=assessment.pk, by=contributor, title="Train", kind="documentation_training"
    )
    return assessment


def test_the_canonical_form_of_a_fixed_content_never_changes():
    raw = snapshot.canonical_bytes(FIXED)
    assert raw == FIXED_CANONICAL.encode("utf-8")
    assert snapshot.digest(FIXED) == FIXED_SHA256
    assert verification.recompute(FIXED_CANONICAL) == FIXED_SHA256


def test_building_twice_gives_the_same_bytes(assessment, contributor, approver, approver2, owner):
    rich_assessment(assessment, contributor, approver, approver2, owner)
    assert snapshot.build(assessment) == snapshot.build(type(assessment).objects.get(pk=assessment.pk))


def test_the_same_content_rebuilt_on_sqlite_in_any_insertion_order_has_the_same_hash(
    assessment, contributor, approver, approver2, owner, tmp_path
):
    rich_assessment(assessment, contributor, approver, approver2, owner)
    canonical, sha256 = snapshot.build(assessment)
    fixture = tmp_path / "content.json"
    fixture.write_text(json.dumps(snapshot.content(assessment)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = "sqlite://:memory:"
    done = subprocess.run(
        [sys.executable, "-m", "tests.assessments.snapshot_rebuild", str(fixture)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    forward, backward = json.loads(done.stdout)
    assert forward["canonical"] == backward["canonical"] == canonical
    assert forward["sha256"] == backward["sha256"] == sha256


def test_building_the_snapshot_takes_seven_queries_at_any_size(
    assessment, contributor, approver, approver2, owner, django_assert_num_queries
):
    rich_assessment(assessment, contributor, approver, approver2, owner)
    with django_assert_num_queries(7):  # scenarios, consequences, acceptances, links, mitigations, evidence, files
        snapshot.build(assessment)
    for _ in range(3):
        rich_assessment(assessment, contributor, approver, approver2, owner)
    assert assessment.scenarios.count() == 12
    with django_assert_num_queries(7):  # scenarios, consequences, acceptances, links, mitigations, evidence, files
        snapshot.build(assessment)
