"""The portfolio page across every project the user can see, its cell filters and its CSV export."""

import csv

from django import forms
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from assessments import page_cache
from assessments.exports.to_csv import safe
from assessments.models import Status
from assessments.views.common import browser_view
from hazards import portfolio, portfolio_pages, scoring
from hazards.models import Category

CSV_HEADER = [
    "Project",
    "Assessment",
    "Revision",
    "Status",
    "Ref",
    "External ref",
    "Title",
    "Category",
    "Residual likelihood",
    "Residual severity",
    "Residual level",
    "Treatment",
    "Owner",
    "Next review",
]


class PortfolioFilterForm(forms.Form):
    project = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label="Hazard area", required=False, choices=[("", "All areas"), *Category.choices])
    likelihood = forms.IntegerField(required=False, min_value=1, max_value=portfolio.COMMON_SIZE)
    severity = forms.IntegerField(required=False, min_value=1, max_value=portfolio.COMMON_SIZE)

    def __init__(self, data, *, projects: list[tuple[int, str]], owners: list[tuple[int, str]]):
        super().__init__(data)
        self.fields["project"].choices = [("", "All projects"), *projects]
        self.fields["owner"].choices = [("", "Anyone"), *owners]

    def filters(self) -> portfolio.PortfolioFilters:
        """The valid filters; an invalid one (a project the user left, a bad cell) is dropped."""
        values = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return portfolio.PortfolioFilters(**{k: v for k, v in values.items() if v not in (None, "")})


def _filters(request) -> tuple[PortfolioFilterForm, portfolio.PortfolioFilters]:
    form = PortfolioFilterForm(
        request.GET, projects=portfolio_pages.projects(request.user), owners=portfolio_pages.colleagues(request.user)
    )
    form.is_valid()
    return form, form.filters()


@browser_view
def portfolio_page(request):
    cache_key = portfolio_pages.key(user=request.user, part="page", query_string=request.GET.urlencode())
    body = page_cache.get(cache_key)
    if body is None:
        body = _body(request, cache_key)
    # `body` is the SafeString our template rendered (pickling keeps the type), so it is not escaped again.
    return render(request, "hazards/portfolio.html", {"body": body})


def _body(request, cache_key: str) -> str:
    form, filters = _filters(request)
    data = portfolio.portfolio(user=request.user, f=filters)
    query = request.GET.copy()
    for name in ("likelihood", "severity"):
        query.pop(name, None)
    top_risks = []
    for s in data.top_risks:
        s.residual_score = f"{s.residual_likelihood}×{s.residual_severity}"
        top_risks.append((s, scoring.level_by_key(s.assessment.matrix, s.residual_level) if s.residual_level else None))
    context = {
        "data": data,
        "top_risks": top_risks,
        "statuses": [(Status(code).label, count) for code, count in data.status_counts.items()],
        "expiring_days": portfolio.EXPIRING_WITHIN_DAYS,
        "form": form,
        "grid": portfolio.common_grid(data.heatmap),
        "cell_query": query.urlencode(),
        "csv_query": request.GET.urlencode(),
        "selected_cell": (filters.likelihood, filters.severity),
    }
    body = render_to_string("hazards/partials/portfolio_body.html", context, request)
    if page_cache.only_known(request.GET, PortfolioFilterForm.base_fields) and not form.errors:
        page_cache.put(cache_key, body, people=data.people())
    return body


class _Echo:
    def write(self, value):
        return value


@browser_view
def portfolio_csv(request) -> HttpResponse:
    """Every scenario of the portfolio under the page's filters, worst residual risk first."""
    _, filters = _filters(request)
    assessments = portfolio.current_assessments(user=request.user, f=filters)
    rows = portfolio.scenarios(user=request.user, f=filters, assessments=assessments)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_HEADER)
        for s in rows.iterator(chunk_size=2000):
            a = s.assessment
            yield writer.writerow(
                [
                    safe(value)
                    for value in (
                        a.project.name,
                        a.title,
                        a.revision,
                        a.get_status_display(),
                        s.ref,
                        s.external_ref,
                        s.title,
                        s.get_category_display(),
                        s.residual_likelihood,
                        s.residual_severity,
                        portfolio.level_name(a.matrix, s.residual_level),
                        s.get_treatment_display(),
                        s.owner.get_username() if s.owner else "",
                        a.next_review_date.isoformat() if a.next_review_date else "",
                    )
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portfolio.csv"'
    return response
