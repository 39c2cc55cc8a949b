"""Evaluation results a scenario cites as evidence for its likelihood."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EvidenceRelation(models.TextChoices):
    """How the hazard responds to capability: the two directions of the method's rule (framework §4.5)."""

    CAPABILITY_ENABLED = "capability_enabled", "Capability-enabled (rises with capability)"
    CAPABILITY_GAP = "capability_gap", "Capability gap (rises with the gap to what users ask)"


class EvidenceCitation(models.Model):
    scenario = models.ForeignKey("hazards.HazardScenario", on_delete=models.CASCADE, related_name="citations")
    # A run that is cited cannot be deleted: signed snapshots name it.
    run = models.ForeignKey("evaluations.EvaluationRun", on_delete=models.PROTECT, related_name="citations")
    relation = models.CharField(max_length=20, choices=EvidenceRelation.choices)
    # Capability-enabled: the level the hazard needs (e.g. rubric L4); empty means the run's highest level.
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["scenario_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scenario", "run"], name="citation_unique_run_per_scenario"),
            models.CheckConstraint(condition=Q(relation__in=EvidenceRelation.values), name="citation_relation_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.run.ref} cited by {self.scenario.ref}"

    @property
    def ref(self) -> str:
        return f"{self.scenario.ref}/{self.run.ref}"
