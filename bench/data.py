"""Deterministic benchmark data: N projects with assessments, scenarios, consequences, mitigations, users.

Rows are bulk-inserted (not through the services) so that large data sets take seconds; the derived
fields the services maintain (refs, counters, risk levels) are filled in the same way.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from assessments.models import Assessment, Membership, Project, Role
from hazards import scoring
from hazards.models import (
    AffectedParty,
    Category,
    Consequence,
    HarmType,
    HazardScenario,
    Mitigation,
    MitigationKind,
    MitigationStatus,
)
from hazards.services.scenarios import derived_levels

BENCH_PREFIX = "Bench"


@dataclass(frozen=True)
class Spec:
    projects: int = 5
    scenarios: int = 2000  # in the first project's assessment; other projects get 20 each
    consequences_per_scenario: int = 3
    mitigations: int = 4000  # in the first project's assessment
    users: int = 10
    seed: int = 42


def existing(spec: Spec) -> Assessment | None:
    name = f"{BENCH_PREFIX} 1 ({spec.scenarios} scenarios, {spec.mitigations} mitigations)"
    return Assessment.objects.filter(project__name=name).first()


@transaction.atomic
def generate(spec: Spec) -> Assessment:
    """Create the data set, or return the first project's assessment if it already exists."""
    found = existing(spec)
    if found is not None:
        return found
    rng = random.Random(spec.seed)
    users = [
        User.objects.get_or_create(username=f"bench{i}", defaults={"email": f"bench{i}@example.com"})[0]
        for i in range(spec.users)
    ]
    roles = list(Role)
    first = None
    for p in range(1, spec.projects + 1):
        big = p == 1
        name = (
            f"{BENCH_PREFIX} 1 ({spec.scenarios} scenarios, {spec.mitigations} mitigations)"
            if big
            else f"{BENCH_PREFIX} {p} ({spec.seed})"
        )
        project = Project.objects.create(name=name, matrix=scoring.preset(scoring.DEFAULT_PRESET))
        Membership.objects.bulk_create(
            [Membership(project=project, user=u, role=roles[i % len(roles)]) for i, u in enumerate(users)]
        )
        assessment = _assessment(
            project, rng, users, spec.scenarios if big else 20, spec.mitigations if big else 20, spec
        )
        first = first or assessment
    return first


PORTFOLIO_MANAGER = "bench-manager"


def portfolio(*, projects: int = 100, scenarios: int = 2000, seed: int = 7) -> User:
    """A manager owning `projects` projects of one assessment of `scenarios` scenarios each (issue 12's
    portfolio at scale: 200,000 scenarios by default), created once and reused; returns the manager."""
    manager, _ = User.objects.get_or_create(username=PORTFOLIO_MANAGER, defaults={"email": "manager@example.com"})
    users = [User.objects.get_or_create(username=f"bench{i}")[0] for i in range(Spec.users)]
    spec = Spec(consequences_per_scenario=1)
    prefix = f"{BENCH_PREFIX} portfolio "
    have = Project.objects.filter(name__startswith=prefix).count()
    rng = random.Random(seed + have)
    for p in range(have + 1, projects + 1):
        with transaction.atomic():  # one project at a time, so an interrupted run resumes where it stopped
            project = Project.objects.create(name=f"{prefix}{p}", matrix=scoring.preset(scoring.DEFAULT_PRESET))
            Membership.objects.bulk_create(
                [Membership(project=project, user=manager, role=Role.OWNER)]
                + [Membership(project=project, user=u, role=Role.CONTRIBUTOR) for u in users]
            )
            _assessment(project, rng, users, scenarios, scenarios // 2, spec)
    return manager


def _assessment(project, rng, users, n_scenarios, n_mitigations, spec) -> Assessment:
    matrix = project.matrix
    assessment = Assessment.objects.create(
        project=project,
        title=f"Bench assessment of {project.name}",
        matrix=matrix,
        model_name="BenchModel",
        last_hazard_number=n_scenarios,
        last_mitigation_number=n_mitigations,
    )
    categories = [c for c in Category.values if c != "other"]
    scenarios = []
    for n in range(1, n_scenarios + 1):
        ratings = {
            "inherent_likelihood": rng.randint(1, 5),
            "inherent_severity": rng.randint(1, 5),
            "residual_likelihood": rng.randint(1, 3),
            "residual_severity": rng.randint(1, 5),
        }
        scenarios.append(
            HazardScenario(
                assessment=assessment,
                number=n,
                ref=f"H-{n:03d}",
                title=f"Scenario {n}: generated code hazard",
                description="Generated for benchmarking. " * 5,
                category=rng.choice(categories),
                owner=rng.choice(users),
                **ratings,
                **derived_levels(matrix, ratings),
            )
        )
    scenarios = HazardScenario.objects.bulk_create(scenarios, batch_size=1000)
    Consequence.objects.bulk_create(
        [
            Consequence(
                scenario=s,
                description=f"Consequence {i} of {s.ref}",
                harm_type=rng.choice(HarmType.values),
                affected_party=rng.choice(AffectedParty.values),
                severity=rng.randint(1, 5),
            )
            for s in scenarios
            for i in range(spec.consequences_per_scenario)
        ],
        batch_size=2000,
    )
    today = datetime.date(2026, 12, 1)
    mitigations = Mitigation.objects.bulk_create(
        [
            Mitigation(
                assessment=assessment,
                number=n,
                ref=f"M-{n:03d}",
                title=f"Mitigation {n}",
                kind=rng.choice(MitigationKind.values),
                status=rng.choice(MitigationStatus.values),
                owner=rng.choice(users),
                due_date=today + datetime.timedelta(days=rng.randint(-30, 90)),
                external_system="jira" if n % 2 else "",
                external_key=f"BENCH-{n}" if n % 2 else "",
            )
            for n in range(1, n_mitigations + 1)
        ],
        batch_size=2000,
    )
    link = Mitigation.scenarios.through
    link.objects.bulk_create(
        [
            link(mitigation_id=m.pk, hazardscenario_id=scenarios[(i * 7 + k) % len(scenarios)].pk)
            for i, m in enumerate(mitigations)
            for k in range(2)
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return assessment
