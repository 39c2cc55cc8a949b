"""API: the portfolio across every project the caller can see (the same reads as the page)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from assessments import page_cache
from assessments.rest.fields import IdField, ModelSerializer, StringField
from assessments.rest.schema import also_returns
from assessments.rest.viewsets import ApiViewSet
from hazards import portfolio, portfolio_pages
from hazards.models import Category, HazardScenario, Mitigation

NOBODY = 0  # no user has this id


class PortfolioFilterSerializer(serializers.Serializer):
    project = IdField(required=False, help_text="Only this project (one of yours).")
    owner = StringField(
        max_length=150, required=False, help_text="Username: scenarios they own and mitigations assigned to them."
    )
    category = serializers.ChoiceField(choices=Category.choices, required=False, help_text="A hazard area.")
    likelihood = serializers.IntegerField(
        min_value=1,
        max_value=portfolio.COMMON_SIZE,
        required=False,
        help_text="A cell of the common 5 × 5 with `severity`; alone, its column.",
    )
    severity = serializers.IntegerField(
        min_value=1, max_value=portfolio.COMMON_SIZE, required=False, help_text="Alone, a row of the 5 × 5."
    )


class PortfolioAssessment(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    project_name = StringField(source="project.name")
    title = StringField()
    revision = serializers.IntegerField()
    status = StringField()
    due_date = serializers.DateField(allow_null=True)
    next_review_date = serializers.DateField(allow_null=True)
    scenario_count = serializers.IntegerField()


class PortfolioRisk(ModelSerializer):
    assessment = serializers.IntegerField(source="assessment_id")
    project = serializers.IntegerField(source="assessment.project_id")
    owner = StringField(source="owner.username", allow_null=True, default=None)

    class Meta:
        model = HazardScenario
        fields = [
            "id",
            "ref",
            "title",
            "category",
            "project",
            "assessment",
            "residual_likelihood",
            "residual_severity",
            "residual_level",
            "owner",
        ]


class PortfolioMitigation(ModelSerializer):
    assessment = serializers.IntegerField(source="assessment_id")
    owner = StringField(source="owner.username", allow_null=True, default=None)

    class Meta:
        model = Mitigation
        fields = ["id", "ref", "title", "assessment", "status", "due_date", "owner"]


class PortfolioAcceptance(serializers.Serializer):
    id = serializers.IntegerField()
    hazard = serializers.IntegerField(source="scenario_id")
    hazard_ref = StringField(source="scenario.ref")
    assessment = serializers.IntegerField(source="scenario.assessment_id")
    accepted_by = StringField(source="accepted_by.username")
    expires_on = serializers.DateField()


class PortfolioCell(serializers.Serializer):
    likelihood = serializers.IntegerField(min_value=1, max_value=portfolio.COMMON_SIZE)
    severity = serializers.IntegerField(min_value=1, max_value=portfolio.COMMON_SIZE)
    count = serializers.IntegerField(min_value=0)


class PortfolioSerializer(serializers.Serializer):
    today = serializers.DateField()
    status_counts = serializers.DictField(child=serializers.IntegerField(), help_text="Assessments per status.")
    assessments = PortfolioAssessment(many=True)
    overdue_mitigation_count = serializers.IntegerField()
    overdue_mitigations = PortfolioMitigation(many=True, help_text=f"The {portfolio.LIST_LIMIT} most overdue.")
    expiring_acceptances = PortfolioAcceptance(
        many=True, help_text=f"Expiring within {portfolio.EXPIRING_WITHIN_DAYS} days."
    )
    heatmap = PortfolioCell(
        many=True, help_text="Residual ratings on the common 5 × 5 (each by position on its matrix)."
    )
    top_risks = PortfolioRisk(many=True)


class PortfolioViewSet(ApiViewSet):
    queryset = HazardScenario.objects.none()
    serializer_class = PortfolioSerializer
    filter_serializer_class = PortfolioFilterSerializer
    versioned = False

    @extend_schema(
        summary="The portfolio across your projects: statuses, dates, overdue work, expiring acceptances, risks",
        parameters=[PortfolioFilterSerializer],
        responses=PortfolioSerializer,
    )
    @also_returns(400)
    def summary(self, request):
        filters = dict(self.filters())
        user = request.user
        cache_key = portfolio_pages.key(user=user, part="api", query_string=request.GET.urlencode())
        data = page_cache.get(cache_key)
        if data is None:
            data = self._summary(user, filters, cache_key)
        return self.plain_response(data)

    def _summary(self, user, filters: dict, cache_key: str) -> dict:
        # As on every list, a filter naming what the caller cannot see (another team's project, a stranger)
        # matches nothing: it neither fails nor tells whether that project or person exists.
        if "owner" in filters:
            owners = {username: pk for pk, username in portfolio_pages.colleagues(user)}
            filters["owner"] = owners.get(filters["owner"], NOBODY)
        found = portfolio.portfolio(user=user, f=portfolio.PortfolioFilters(**filters))
        # An answer to a filter that names a stranger or another team's project is not kept (they are endless).
        cacheable = page_cache.only_known(self.request.GET, PortfolioFilterSerializer().fields) and (
            filters.get("owner") != NOBODY
            and ("project" not in filters or any(a.project_id == filters["project"] for a in found.assessments))
        )
        body = {
            **{key: getattr(found, key) for key in ("today", "status_counts", "assessments", "top_risks")},
            "overdue_mitigation_count": found.overdue_mitigation_count,
            "overdue_mitigations": found.overdue_mitigations,
            "expiring_acceptances": found.expiring_acceptances,
            "heatmap": [
                {"likelihood": likelihood, "severity": severity, "count": count}
                for (likelihood, severity), count in sorted(found.heatmap.items())
            ],
        }
        data = PortfolioSerializer(body).data
        if cacheable:
            page_cache.put(cache_key, data, people=found.people())
        return data
