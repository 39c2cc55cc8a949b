"""The hazard register: scenarios, their consequences and the mitigations that address them."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Category(models.TextChoices):
    """The hazard areas of the code-synthesis catalogue."""

    APPLICATION_SAFETY = "application_safety", "Application safety"
    SECURITY = "security", "Security"
    MISUSE_CYBER = "misuse_cyber", "Misuse and cyber"
    ALIGNMENT = "alignment", "Alignment"
    BIAS_REPRESENTATION = "bias_representation", "Bias and representation"
    OVER_RELIANCE = "over_reliance", "Over-reliance"
    PRIVACY_DATA = "privacy_data", "Privacy and data"
    ECONOMIC = "economic", "Economic"
    ENVIRONMENTAL = "environmental", "Environmental"
    LEGAL_IP = "legal_ip", "Legal and IP"
    POLITICAL_SOCIETAL = "political_societal", "Political and societal"
    OTHER = "other", "Other"


class Treatment(models.TextChoices):
    MITIGATE = "mitigate", "Mitigate"
    ACCEPT = "accept", "Accept"
    TRANSFER = "transfer", "Transfer"
    AVOID = "avoid", "Avoid"


class HarmType(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    SECURITY = "security", "Security"
    ECONOMIC = "economic", "Economic"
    SOCIAL = "social", "Social"
    POLITICAL = "political", "Political"
    ENVIRONMENTAL = "environmental", "Environmental"
    LEGAL = "legal", "Legal"


class AffectedParty(models.TextChoices):
    DEVELOPERS = "developers", "Developers"
    END_USERS = "end_users", "End users"
    ORGANISATION = "organisation", "Organisation"
    THIRD_PARTIES = "third_parties", "Third parties"
    SOCIETY = "society", "Society"
    VULNERABLE_GROUPS = "vulnerable_groups", "Vulnerable groups"


class MitigationKind(models.TextChoices):
    """In order of precedence: prefer the first that is practicable."""

    ELIMINATE_BY_DESIGN = "eliminate_by_design", "Eliminate by design"
    TECHNICAL_CONTROL = "technical_control", "Technical control"
    ACCESS_CONTROL_MONITORING = "access_control_monitoring", "Access control and monitoring"
    PROCESS_CONTROL = "process_control", "Process control"
    DOCUMENTATION_TRAINING = "documentation_training", "Documentation and training"


class MitigationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


MAX_RATING = 10  # matrices have at most 10 levels per axis; the assessment's matrix narrows it further


def _rating_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 1, f"{field}__lte": MAX_RATING})


class HazardScenario(models.Model):
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="scenarios")
    number = models.PositiveIntegerField(help_text="Stable across revisions; the ref is H-<number>.")
    ref = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    # Its id in the register it was imported from (another tool's "R-12"), so both can be matched up.
    external_ref = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=30, choices=Category.choices, default=Category.OTHER)
    causes = models.TextField(blank=True)
    affected_parties = models.TextField(blank=True)
    source_template = models.ForeignKey(
        "hazards.HazardTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="scenarios"
    )
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    # Derived from the ratings and the assessment's matrix by the services, stored so that filters and
    # sorts by risk level run in the database.
    inherent_level = models.CharField(max_length=40, blank=True)
    inherent_rank = models.PositiveSmallIntegerField(default=0)
    residual_level = models.CharField(max_length=40, blank=True)
    residual_rank = models.PositiveSmallIntegerField(default=0)
    treatment = models.CharField(max_length=10, choices=Treatment.choices, default=Treatment.MITIGATE)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_hazards"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["assessment_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="hazard_unique_number"),
            models.UniqueConstraint(fields=["assessment", "ref"], name="hazard_unique_ref"),
            models.CheckConstraint(condition=_rating_in_range("inherent_likelihood"), name="hazard_il_range"),
            models.CheckConstraint(condition=_rating_in_range("inherent_severity"), name="hazard_is_range"),
            models.CheckConstraint(condition=_rating_in_range("residual_likelihood"), name="hazard_rl_range"),
            models.CheckConstraint(condition=_rating_in_range("residual_severity"), name="hazard_rs_range"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="hazard_category_valid"),
            models.CheckConstraint(condition=Q(treatment__in=Treatment.values), name="hazard_treatment_valid"),
        ]
        indexes = [
            models.Index(fields=["assessment", "residual_rank"]),
            models.Index(fields=["assessment", "category"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"


class Consequence(models.Model):
    scenario = models.ForeignKey(HazardScenario, on_delete=models.CASCADE, related_name="consequences")
    description = models.TextField()
    harm_type = models.CharField(max_length=20, choices=HarmType.choices)
    affected_party = models.CharField(max_length=20, choices=AffectedParty.choices)
    severity = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["scenario_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__gte=1, severity__lte=MAX_RATING), name="consequence_severity_range"
            ),
            models.CheckConstraint(condition=Q(harm_type__in=HarmType.values), name="consequence_harm_type_valid"),
            models.CheckConstraint(
                condition=Q(affected_party__in=AffectedParty.values), name="consequence_affected_party_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class Mitigation(models.Model):
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="mitigations")
    number = models.PositiveIntegerField(help_text="Stable across revisions; the ref is M-<number>.")
    ref = models.CharField(max_length=16)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=30, choices=MitigationKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_mitigations"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=MitigationStatus.choices, default=MitigationStatus.PROPOSED)
    verification_note = models.TextField(blank=True)
    scenarios = models.ManyToManyField(HazardScenario, related_name="mitigations", blank=True)
    external_system = models.CharField(max_length=50, blank=True, help_text="e.g. jira, github, servicenow")
    external_key = models.CharField(max_length=100, blank=True, help_text="e.g. SEC-123")
    external_url = models.URLField(max_length=500, blank=True)
    external_synced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["assessment_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="mitigation_unique_number"),
            models.UniqueConstraint(fields=["assessment", "ref"], name="mitigation_unique_ref"),
            models.UniqueConstraint(
                fields=["assessment", "external_system", "external_key"],
                condition=~Q(external_key=""),
                name="mitigation_unique_external_ticket",
            ),
            models.CheckConstraint(condition=Q(kind__in=MitigationKind.values), name="mitigation_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=MitigationStatus.values), name="mitigation_status_valid"),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["external_system", "external_key"]),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"
