"""Templates of the code-synthesis hazard catalogue, loaded from hazards/catalogue/*.yaml."""

from django.db import models

from hazards.models.register import Category


class HazardTemplate(models.Model):
    key = models.CharField(max_length=20, unique=True)
    area = models.CharField(max_length=30, choices=Category.choices)
    title = models.CharField(max_length=200)
    description = models.TextField()
    causes = models.JSONField(default=list)
    affected_parties = models.JSONField(default=list)
    capability_dependence = models.CharField(max_length=10, default="none")
    default_likelihood = models.PositiveSmallIntegerField()
    default_severity = models.PositiveSmallIntegerField()
    consequences = models.JSONField(default=list)
    mitigations = models.JSONField(default=list, help_text="In order of precedence.")
    review_triggers = models.JSONField(default=list)
    references = models.JSONField(default=list)
    catalogue_version = models.PositiveIntegerField(default=1)
    retired = models.BooleanField(default=False, help_text="No longer in the catalogue file.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(default_likelihood__gte=1, default_likelihood__lte=5)
                & models.Q(default_severity__gte=1, default_severity__lte=5),
                name="template_default_ratings_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"
