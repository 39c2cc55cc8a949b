"""Browser URLs of evaluations."""

from django.urls import path

from evaluations.views import endpoints, runs, suites

urlpatterns = [
    path("projects/<int:project_id>/evaluations/", runs.run_list, name="evaluation_runs"),
    path("projects/<int:project_id>/evaluations/new/", runs.run_new, name="evaluation_run_new"),
    path("projects/<int:project_id>/evaluations/prompts/", runs.suite_prompts, name="evaluation_prompts"),
    path("projects/<int:project_id>/evaluations/endpoints/new/", endpoints.endpoint_new, name="model_endpoint_new"),
    path("projects/<int:project_id>/evaluations/suites/new/", suites.suite_new, name="evaluation_suite_new"),
    path("evaluations/<int:run_id>/", runs.run_detail, name="evaluation_run"),
    path("evaluations/<int:run_id>/cancel/", runs.run_cancel, name="evaluation_run_cancel"),
    path("evaluations/<int:run_id>/tasks/<path:task_id>", runs.run_task, name="evaluation_run_task"),
    path("evaluation-endpoints/<int:endpoint_id>/edit/", endpoints.endpoint_edit, name="model_endpoint_edit"),
    path("evaluation-endpoints/<int:endpoint_id>/delete/", endpoints.endpoint_delete, name="model_endpoint_delete"),
    path("evaluation-suites/<int:suite_id>/", suites.suite_detail, name="evaluation_suite"),
]
