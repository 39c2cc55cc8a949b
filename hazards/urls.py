"""Browser URLs of the hazards app: My work, the assessment workspace, scenarios, mitigations, the catalogue."""

from django.urls import path

from hazards.views import (
    assessment,
    catalogue,
    comments,
    dashboard,
    evidence,
    heatmap,
    matrix,
    mitigations,
    portfolio,
    register,
    scenarios,
)

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("start/", dashboard.landing, name="landing"),
    path("portfolio/", portfolio.portfolio_page, name="portfolio"),
    path("portfolio/export.csv", portfolio.portfolio_csv, name="portfolio_csv"),
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("assessments/<int:assessment_id>/", assessment.assessment_detail, name="assessment_detail"),
    path("assessments/<int:assessment_id>/changes/", assessment.assessment_changes, name="assessment_changes"),
    path("assessments/<int:assessment_id>/register/", register.register, name="register"),
    path("assessments/<int:assessment_id>/hazards/new/", register.hazard_add, name="hazard_add"),
    path("assessments/<int:assessment_id>/heatmap/", heatmap.heatmap, name="heatmap"),
    path("assessments/<int:assessment_id>/matrix/", matrix.assessment_matrix, name="assessment_matrix"),
    path("assessments/<int:assessment_id>/mitigations/", mitigations.mitigation_list, name="mitigation_list"),
    path("assessments/<int:assessment_id>/mitigations/board/", mitigations.mitigation_board, name="mitigation_board"),
    path("assessments/<int:assessment_id>/comments/", comments.assessment_comments, name="assessment_comments"),
    path("assessments/<int:assessment_id>/catalogue/", catalogue.catalogue_add, name="catalogue_add"),
    path("hazards/<int:hazard_id>/", scenarios.hazard_detail, name="hazard_detail"),
    path("hazards/<int:hazard_id>/edit/", scenarios.hazard_edit, name="hazard_edit"),
    path("hazards/<int:hazard_id>/delete/", scenarios.hazard_delete, name="hazard_delete"),
    path("hazards/<int:hazard_id>/row/", register.hazard_row, name="hazard_row"),
    path("hazards/<int:hazard_id>/row/edit/", register.hazard_row_edit, name="hazard_row_edit"),
    path("hazards/<int:hazard_id>/consequences/new/", scenarios.consequence_add, name="consequence_add"),
    path(
        "hazards/<int:hazard_id>/mitigations/new/", scenarios.hazard_mitigation_create, name="hazard_mitigation_create"
    ),
    path("hazards/<int:hazard_id>/mitigations/link/", scenarios.hazard_mitigation_link, name="hazard_mitigation_link"),
    path(
        "hazards/<int:hazard_id>/mitigations/<int:mitigation_id>/unlink/",
        scenarios.hazard_mitigation_unlink,
        name="hazard_mitigation_unlink",
    ),
    path("hazards/<int:hazard_id>/acceptances/new/", scenarios.acceptance_grant, name="acceptance_grant"),
    path("hazards/<int:hazard_id>/evidence/", evidence.citation_add, name="citation_add"),
    path("citations/<int:citation_id>/remove/", evidence.citation_remove, name="citation_remove"),
    path("citations/<int:citation_id>/accept/", evidence.suggestion_accept, name="suggestion_accept"),
    path("hazards/<int:hazard_id>/comments/", comments.hazard_comments, name="hazard_comments"),
    path("consequences/<int:consequence_id>/edit/", scenarios.consequence_edit, name="consequence_edit"),
    path("consequences/<int:consequence_id>/delete/", scenarios.consequence_delete, name="consequence_delete"),
    path("acceptances/<int:acceptance_id>/revoke/", scenarios.acceptance_revoke, name="acceptance_revoke"),
    path("mitigations/<int:mitigation_id>/", mitigations.mitigation_detail, name="mitigation_detail"),
    path("mitigations/<int:mitigation_id>/status/", mitigations.mitigation_status, name="mitigation_status"),
    path("mitigations/<int:mitigation_id>/delete/", mitigations.mitigation_delete, name="mitigation_delete"),
]
