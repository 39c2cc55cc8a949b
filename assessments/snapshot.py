"""The canonical JSON of an assessment's signed content, and its SHA-256.

Deterministic by construction: only content (never database ids, timestamps or progress tracking),
keys sorted, lists in a content-defined order, compact separators, UTF-8. The same content gives the
same bytes on any database and in any run, so anyone can recompute the hash and compare.
"""

import hashlib
import json
from typing import Any

SCHEMA = "hazlog.snapshot/1"


def _user(user) -> str | None:
    return user.get_username() if user is not None else None


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


# Orders that use every field, so that rows equal in their first keys never fall back to database order
# (ids and insertion order differ between databases).
def _consequence_order(c: dict) -> tuple:
    return (-c["severity"], c["harm_type"], c["affected_party"], c["description"])


def _acceptance_order(a: dict) -> tuple:
    return (a["expires_on"] or "", a["accepted_by"] or "", a["rationale"], a["conditions"])


def content(assessment) -> dict[str, Any]:
    """The content as plain data (what the hash covers). Three queries however large the register."""
    scenarios = list(
        assessment.scenarios.select_related("owner", "source_template")
        .prefetch_related("consequences", "acceptances__accepted_by")
        .order_by("number")
    )
    mitigations = list(assessment.mitigations.prefetch_related("scenarios").order_by("number"))
    return {
        "schema": SCHEMA,
        "assessment": {
            "lineage": str(assessment.lineage),
            "revision": assessment.revision,
            "title": assessment.title,
            "model_name": assessment.model_name,
            "model_version": assessment.model_version,
            "deployment_channel": assessment.deployment_channel,
            "user_population": assessment.user_population,
            "application_domain": assessment.application_domain,
            "scope": assessment.scope,
        },
        "matrix": assessment.matrix,
        "scenarios": [
            {
                "ref": s.ref,
                "title": s.title,
                "description": s.description,
                "category": s.category,
                "causes": s.causes,
                "affected_parties": s.affected_parties,
                "template": s.source_template.key if s.source_template else None,
                "inherent": {
                    "likelihood": s.inherent_likelihood,
                    "severity": s.inherent_severity,
                    "level": s.inherent_level or None,
                },
                "residual": {
                    "likelihood": s.residual_likelihood,
                    "severity": s.residual_severity,
                    "level": s.residual_level or None,
                },
                "treatment": s.treatment,
                "owner": _user(s.owner),
                "consequences": sorted(
                    (
                        {
                            "description": c.description,
                            "harm_type": c.harm_type,
                            "affected_party": c.affected_party,
                            "severity": c.severity,
                        }
                        for c in s.consequences.all()
                    ),
                    key=_consequence_order,
                ),
                # Revoked acceptances are not content; expired ones stay, with their date, so that the
                # hash does not depend on the day it is computed.
                "acceptances": sorted(
                    (
                        {
                            "accepted_by": _user(a.accepted_by),
                            "rationale": a.rationale,
                            "conditions": a.conditions,
                            "expires_on": _date(a.expires_on),
                        }
                        for a in s.acceptances.all()
                        if a.revoked_at is None
                    ),
                    key=_acceptance_order,
                ),
            }
            for s in scenarios
        ],
        # Progress (status, owner, due date, ticket) is tracked after sign-off and is not signed content.
        "mitigations": [
            {
                "ref": m.ref,
                "title": m.title,
                "description": m.description,
                "kind": m.kind,
                "scenarios": sorted((s.ref for s in m.scenarios.all()), key=lambda ref: (len(ref), ref)),
            }
            for m in mitigations
        ],
    }


def canonical_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(data)).hexdigest()


def build(assessment) -> tuple[str, str]:
    """(canonical text, sha256) of the assessment's current content."""
    raw = canonical_bytes(content(assessment))
    return raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()


def verify(canonical: str, sha256: str) -> bool:
    """Whether a canonical text still hashes to the recorded SHA-256 (see also assessments/verification.py)."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest() == sha256
