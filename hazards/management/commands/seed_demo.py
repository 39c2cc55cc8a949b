"""manage.py seed_demo: a populated project and one user per role, for a first look (never in production)."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment, DeploymentChannel, Project, Role, Via
from assessments.services import workflow
from evaluations.demo import DEMO_RUNS
from evaluations.services import demo as demo_services
from hazards import services
from hazards.models import HazardTemplate, MitigationStatus, Treatment

PASSWORD = "hazlog-demo"  # noqa: S105 - documented demo credential; the command refuses production
PROJECT_NAME = "Coding assistant rollout"
DEMO_SCAN_REPORT = """# Static analysis of assistant-written code (demo data)

Made-up figures for the demo: 1,200 accepted completions scanned with bandit.

| Finding | CWE | Count |
|---|---|---|
| Shell command built from input (B602) | CWE-78 | 14 |
| SQL built with string formatting (B608) | CWE-89 | 9 |
| Hard-coded password (B105) | CWE-259 | 3 |
"""
USERS = [
    ("olivia", "Olivia", "Owner", Role.OWNER),
    ("alice", "Alice", "Contributor", Role.CONTRIBUTOR),
    ("bob", "Bob", "Reviewer", Role.REVIEWER),
    ("carol", "Carol", "Approver", Role.APPROVER),
    ("dave", "Dave", "Approver", Role.APPROVER),
    ("victor", "Victor", "Viewer", Role.VIEWER),
]
TEMPLATES = [
    "APP-01",
    "APP-03",
    "APP-10",
    "SEC-01",
    "SEC-02",
    "SEC-04",
    "SEC-08",
    "SEC-09",
    "MIS-01",
    "ALN-03",
    "BIA-01",
    "HUM-01",
    "PRV-01",
    "LEG-02",
    "ENV-02",
    "POL-04",
]
TICKETS = {1: "SEC-101", 2: "SEC-102", 4: "PLAT-311", 6: "PLAT-318"}
# The older assessment: approved as revision 1, with revision 2 started as a draft with a few changes.
REVIEW_BOT_TEMPLATES = ["APP-01", "SEC-02", "HUM-01", "LEG-02", "POL-04"]


class Command(BaseCommand):
    help = "Create the demo project 'Coding assistant rollout' and the demo users (password hazlog-demo)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production).")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password; it only runs with DEBUG=true "
                "(or --force on a throwaway instance)."
            )
        if not HazardTemplate.objects.exists():
            raise CommandError("Load the catalogue first: manage.py load_catalogue")
        if Project.objects.filter(name=PROJECT_NAME).exists():
            self.stdout.write(f"Demo data already present (project “{PROJECT_NAME}”); nothing to do.")
            return
        with transaction.atomic():
            users = self._users()
            project = self._project(users)
            self._review_bot(project, users)
            self._evaluations(project, users)
            self._evidence(project, users)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data created. Sign in as olivia (owner), alice (contributor), bob (reviewer), carol or dave "
                f"(approvers), victor (viewer); password {PASSWORD}."
            )
        )

    def _users(self) -> dict[str, User]:
        users = {}
        for username, first, last, _ in USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            users[username] = user
        return users

    def _project(self, users: dict[str, User]) -> Project:
        olivia = users["olivia"]
        project = assessment_services.project_create(
            by=olivia,
            name=PROJECT_NAME,
            via=Via.CLI,
            required_approvals=2,
            review_cadence_days=180,
            description="Company-wide rollout of an AI coding assistant in the IDE and as a code-review bot.",
        )
        for username, _, _, role in USERS[1:]:
            assessment_services.membership_add(
                project_id=project.pk, by=olivia, user=users[username], role=role, via=Via.CLI
            )
        today = timezone.localdate()
        assessment = assessment_services.assessment_create(
            project_id=project.pk,
            by=users["alice"],
            via=Via.CLI,
            title="IDE assistant — first rollout wave",
            model_name="CodeGen-X",
            model_version="2026.10",
            deployment_channel=DeploymentChannel.IDE,
            user_population="About 800 internal developers of mixed experience; about 15% are in their first year.",
            application_domain="Internal web services, data pipelines and infrastructure-as-code. "
            "No safety-critical or medical software.",
            scope="Code completion and chat in the IDE, plus an agent mode that may run tests in a sandbox.",
            due_date=today + datetime.timedelta(days=21),
            next_review_date=today + datetime.timedelta(days=180),
        )
        alice = users["alice"]
        scenarios = services.hazards_from_templates(
            assessment_id=assessment.pk, template_keys=TEMPLATES, by=alice, via=Via.CLI
        )
        owners = [users["alice"], users["bob"], users["olivia"]]
        for index, scenario in enumerate(scenarios):
            residual_likelihood = max(1, scenario.inherent_likelihood - (2 if index % 3 else 1))
            residual_severity = max(1, scenario.inherent_severity - (1 if index % 4 == 0 else 0))
            services.hazard_update(
                hazard_id=scenario.pk,
                by=alice,
                expected_version=scenario.version,
                via=Via.CLI,
                residual_likelihood=residual_likelihood,
                residual_severity=residual_severity,
                owner=owners[index % len(owners)],
                treatment=Treatment.ACCEPT if scenario.category == "political_societal" else Treatment.MITIGATE,
            )
        statuses = [
            MitigationStatus.VERIFIED,
            MitigationStatus.IMPLEMENTED,
            MitigationStatus.IN_PROGRESS,
            MitigationStatus.PLANNED,
            MitigationStatus.PROPOSED,
        ]
        for mitigation in assessment.mitigations.order_by("number"):
            n = mitigation.number
            changes = {
                "status": statuses[n % len(statuses)],
                "owner": owners[(n + 1) % len(owners)],
                "due_date": today + datetime.timedelta(days=(n % 9) * 7 - 10),
            }
            if n in TICKETS:
                key = TICKETS[n]
                changes.update(
                    external_system="jira", external_key=key, external_url=f"https://jira.example.com/browse/{key}"
                )
            services.mitigation_update(
                mitigation_id=mitigation.pk, by=alice, expected_version=mitigation.version, via=Via.CLI, **changes
            )
        self._accept_political_risk(assessment, users["carol"], days=120)
        return project

    def _accept_political_risk(self, assessment: Assessment, approver: User, *, days: int) -> None:
        """The political/societal scenarios are treated by acceptance: an approver accepts them, with an expiry."""
        for scenario in assessment.scenarios.filter(treatment=Treatment.ACCEPT):
            services.acceptance_grant(
                hazard_id=scenario.pk,
                by=approver,
                via=Via.CLI,
                rationale="Correlated failures are bounded by code review and diverse tooling; the organisation "
                "accepts the residual risk for the first rollout wave.",
                conditions="Re-assess if more than half of merged code is assistant-written.",
                expires_on=timezone.localdate() + datetime.timedelta(days=days),
            )

    def _evaluations(self, project: Project, users: dict[str, User]) -> None:
        """Completed demo runs (a simulated model, labelled as demo data), cited by three scenarios of the
        first assessment, whose context says what its users ask for; one suggestion accepted."""
        alice = users["alice"]
        runs = {
            spec.suite_key: demo_services.demo_run_create(project=project, by=alice, spec=spec) for spec in DEMO_RUNS
        }
        assessment = project.assessments.order_by("pk").first()
        assessment_services.assessment_update(
            assessment_id=assessment.pk,
            by=alice,
            expected_version=assessment.version,
            via=Via.CLI,
            typical_spec_level=3,
            typical_chain_steps=4,
            user_expertise="mixed",
            review_practice="standard",
        )
        by_template = {s.source_template.key: s for s in assessment.scenarios.select_related("source_template")}
        citations = [
            ("APP-01", runs["chained"], "capability_gap", None, "Long multi-step requests lose steps (framework §5)."),
            ("SEC-02", runs["spec-rubric"], "capability_gap", None, "Insecure patterns per level, bandit scan."),
            ("MIS-01", runs["spec-rubric"], "capability_enabled", 5, "Malware needs system-level (L5) generation."),
        ]
        for key, run, relation, level, note in citations:
            citation = services.citation_create(
                hazard_id=by_template[key].pk,
                by=alice,
                run_id=run.pk,
                relation=relation,
                level=level,
                note=note,
                via=Via.CLI,
            )
            if key == "APP-01":
                scenario = by_template[key]
                scenario.refresh_from_db()
                services.suggestion_accept(
                    citation_id=citation.pk, by=alice, expected_version=scenario.version, via=Via.CLI
                )

    def _evidence(self, project: Project, users: dict[str, User]) -> None:
        """A scan report kept as a file and a pen-test report as a link on the insecure-code scenario (demo data:
        the report is made up and says so)."""
        alice = users["alice"]
        scenario = project.assessments.order_by("pk").first().scenarios.get(source_template__key="SEC-02")
        report = ContentFile(DEMO_SCAN_REPORT.encode(), name="sast-summary-demo.md")
        services.attachment_upload(by=alice, upload=report, hazard_id=scenario.pk, via=Via.CLI)
        services.attachment_link(
            by=alice,
            url="https://example.com/reports/pentest-2026-q3",
            title="Pen-test of the code-review bot, Q3 (demo link)",
            hazard_id=scenario.pk,
            via=Via.CLI,
        )

    def _review_bot(self, project: Project, users: dict[str, User]) -> None:
        """An older assessment, approved by carol and dave, with a draft revision 2 that changes a few things,
        so that the sign-off panel, verification and the diff page have something to show."""
        alice, carol, dave = users["alice"], users["carol"], users["dave"]
        today = timezone.localdate()
        rev1 = assessment_services.assessment_create(
            project_id=project.pk,
            by=alice,
            via=Via.CLI,
            title="Code-review bot — pilot",
            model_name="CodeGen-X",
            model_version="2026.04",
            deployment_channel=DeploymentChannel.REVIEW,
            user_population="Two platform teams (about 40 developers) who opted in to the pilot.",
            application_domain="Pull requests to internal services; the bot comments and never merges.",
            scope="Review comments and suggested patches on pull requests.",
            next_review_date=today + datetime.timedelta(days=90),
        )
        scenarios = services.hazards_from_templates(
            assessment_id=rev1.pk, template_keys=REVIEW_BOT_TEMPLATES, by=alice, via=Via.CLI
        )
        for scenario in scenarios:
            services.hazard_update(
                hazard_id=scenario.pk,
                by=alice,
                expected_version=scenario.version,
                via=Via.CLI,
                residual_likelihood=max(1, scenario.inherent_likelihood - 2),
                residual_severity=scenario.inherent_severity,
                owner=alice,
                treatment=Treatment.ACCEPT if scenario.category == "political_societal" else Treatment.MITIGATE,
            )
        self._accept_political_risk(rev1, carol, days=60)
        workflow.assessment_submit(assessment_id=rev1.pk, by=alice, via=Via.CLI)
        workflow.assessment_approve(
            assessment_id=rev1.pk, by=carol, via=Via.CLI, comment="Pilot scope is narrow; fine to proceed."
        )
        workflow.assessment_approve(assessment_id=rev1.pk, by=dave, via=Via.CLI)

        rev2 = workflow.assessment_start_revision(assessment_id=rev1.pk, by=alice, via=Via.CLI)
        assessment_services.assessment_update(
            assessment_id=rev2.pk,
            by=alice,
            expected_version=None,
            via=Via.CLI,
            model_version="2026.10",
            user_population="All product teams (about 800 developers).",
        )
        # Wider rollout: over-reliance becomes more likely, and the bot may now open pull requests itself.
        over_reliance = rev2.scenarios.get(category="over_reliance")
        services.hazard_update(
            hazard_id=over_reliance.pk,
            by=alice,
            expected_version=over_reliance.version,
            via=Via.CLI,
            residual_likelihood=min(5, over_reliance.residual_likelihood + 2),
        )
        services.consequence_create(
            hazard_id=over_reliance.pk,
            by=alice,
            via=Via.CLI,
            description="Reviewers approve bot-suggested patches without reading them; defects reach production.",
            harm_type="technical",
            affected_party="organisation",
            severity=3,
        )
        (added,) = services.hazards_from_templates(
            assessment_id=rev2.pk, template_keys=["SEC-09"], by=alice, via=Via.CLI
        )
        services.hazard_update(
            hazard_id=added.pk,
            by=alice,
            expected_version=None,
            via=Via.CLI,
            residual_likelihood=max(1, added.inherent_likelihood - 2),
            residual_severity=added.inherent_severity,
        )
        first = rev2.mitigations.order_by("number").first()
        services.mitigation_update(
            mitigation_id=first.pk,
            by=alice,
            expected_version=first.version,
            via=Via.CLI,
            title=f"{first.title} (all teams)",
        )
