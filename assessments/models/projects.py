"""Projects, their members and roles, and the assessments they hold."""

import uuid

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    CONTRIBUTOR = "contributor", "Contributor"
    REVIEWER = "reviewer", "Reviewer"
    APPROVER = "approver", "Approver"
    OWNER = "owner", "Owner"


# Roles are cumulative: each can do everything the ones below it can.
ROLE_RANK = {
    Role.VIEWER: 0,
    Role.CONTRIBUTOR: 1,
    Role.REVIEWER: 2,
    Role.APPROVER: 3,
    Role.OWNER: 4,
}


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    matrix = models.JSONField(help_text="Default risk matrix copied into each new assessment.")
    required_approvals = models.PositiveSmallIntegerField(default=1)
    review_cadence_days = models.PositiveIntegerField(default=180)
    max_acceptance_days = models.PositiveIntegerField(default=365)
    import_mapping = models.JSONField(default=dict, blank=True)
    # {group: {value key: register value}}: what a file's own level and choice names were mapped to.
    import_values = models.JSONField(default=dict, blank=True)
    # Capability evidence (evaluations): when cited results count as stale, and what "reliable" means.
    evidence_max_age_days = models.PositiveIntegerField(default=180)
    stale_evidence_blocks_submit = models.BooleanField(default=False)
    reliability_threshold = models.PositiveSmallIntegerField(default=80, help_text="Pass@1 in per cent.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required_approvals__gte=1, required_approvals__lte=10),
                name="project_required_approvals_1_10",
            ),
            models.CheckConstraint(
                condition=models.Q(max_acceptance_days__gte=1), name="project_max_acceptance_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project_id", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user_per_project"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.project}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"
    ARCHIVED = "archived", "Archived"


class DeploymentChannel(models.TextChoices):
    IDE = "ide", "IDE plugin / code completion"
    CHAT = "chat", "Chat assistant"
    API = "api", "API for developers"
    AGENT = "agent", "Autonomous coding agent"
    REVIEW = "review", "CI / code-review bot"
    OTHER = "other", "Other"


class UserExpertise(models.TextChoices):
    NOVICE = "novice", "Mostly novices"
    MIXED = "mixed", "Mixed"
    EXPERT = "expert", "Mostly experienced developers"


class ReviewPractice(models.TextChoices):
    WEAK = "weak", "Weak or no review of generated code"
    STANDARD = "standard", "Usual code review"
    STRONG = "strong", "Review plus tests and scanning"


# Specification levels of the method's rubric (framework §10), L1 to L5.
SPEC_LEVELS = [
    (1, "L1 · Fully constrained snippet"),
    (2, "L2 · Single function, tightly specified"),
    (3, "L3 · Single function, compositional"),
    (4, "L4 · Multi-function or module design"),
    (5, "L5 · System or architectural requirements"),
]


class Assessment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="assessments")
    # Every revision of one assessment shares a lineage; revision numbers count up within it.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    revision = models.PositiveIntegerField(default=1)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_revisions")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    matrix = models.JSONField(help_text="This assessment's own copy of the risk matrix.")

    # Context of the model being assessed.
    model_name = models.CharField(max_length=200, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    deployment_channel = models.CharField(max_length=20, choices=DeploymentChannel.choices, blank=True)
    user_population = models.TextField(blank=True)
    application_domain = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    # What the deployment's users actually ask for, against which measured capability is compared.
    typical_spec_level = models.PositiveSmallIntegerField(null=True, blank=True, choices=SPEC_LEVELS)
    typical_chain_steps = models.PositiveSmallIntegerField(null=True, blank=True)
    user_expertise = models.CharField(max_length=10, choices=UserExpertise.choices, blank=True)
    review_practice = models.CharField(max_length=10, choices=ReviewPractice.choices, blank=True)

    due_date = models.DateField(null=True, blank=True)
    next_review_date = models.DateField(null=True, blank=True)

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the snapshot built at the last submission; approvals must match it to count.
    content_hash = models.CharField(max_length=64, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_snapshot = models.ForeignKey(
        "assessments.Snapshot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Counters behind H-<n> and M-<n>: refs are never reused within a lineage, even after a deletion.
    last_hazard_number = models.PositiveIntegerField(default=0)
    last_mitigation_number = models.PositiveIntegerField(default=0)
    # Counts content writes: every one bumps it while holding this row's lock, so writes commit in its order
    # and figures cached under its value are never served after a later write (hazards.portfolio_summaries).
    content_seq = models.PositiveBigIntegerField(default=0)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project_id", "title", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "revision"], name="assessment_unique_revision"),
            models.CheckConstraint(condition=models.Q(revision__gte=1), name="assessment_revision_positive"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="assessment_status_valid"),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self) -> str:
        return f"{self.title} (rev. {self.revision})"
