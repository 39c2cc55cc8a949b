"""The evaluations API: a CI pipeline posts a model release's completions, follows the run, reads the
results and cites them; same permissions, ETags and idempotency as the rest; outsiders get 404."""

import json

import pytest

from evaluations.demo import DEMO_RUNS
from evaluations.models import EvaluationRun, ModelEndpoint
from evaluations.services import demo as demo_services
from hazards import services
from tests.evaluations.conftest import rubric_tasks
from tests.factories import make_hazard

pytestmark = pytest.mark.django_db(transaction=True)
CIPHERTEXT = "gAAAA-stored-ciphertext"


def completions(tasks):
    return [{"task_id": t.task_id, "completion": t.reference, "sample_index": 0} for t in tasks]


def test_a_pipeline_posts_completions_and_reads_the_results(project, contributor, api_client_for, celery_eager):
    api = api_client_for(contributor)
    body = {
        "project": project.pk,
        "suite": "spec-rubric",
        "tasks_per_level": 1,
        "model_name": "CodeGen-X",
        "model_version": "2026.11",
        "completions": completions(rubric_tasks()),
    }
    response = api.post("/api/v1/evaluation-runs/", body, format="json", headers={"Idempotency-Key": "release-1"})
    assert response.status_code == 202, response.data
    run_id = response.data["id"]
    again = api.post("/api/v1/evaluation-runs/", body, format="json", headers={"Idempotency-Key": "release-1"})
    assert json.loads(again.content)["id"] == run_id and EvaluationRun.objects.count() == 1
    run = api.get(f"/api/v1/evaluation-runs/{run_id}/")
    assert run.data["status"] == "completed" and run.data["summary"]["pass_at_1"] == 1.0
    assert run["ETag"] == f'"{run_id}-{run.data["version"]}"'
    assert api.get(f"/api/v1/evaluation-runs/{run_id}/", headers={"If-None-Match": run["ETag"]}).status_code == 304
    tasks = api.get(f"/api/v1/evaluation-runs/{run_id}/tasks/").data
    assert len(tasks) == 5 and all(t["passed"] == 1 for t in tasks)
    samples = api.get(f"/api/v1/evaluation-runs/{run_id}/samples/", {"task_id": tasks[0]["task_id"]}).data
    assert samples[0]["outcome"] == "passed"


def test_bad_completions_are_a_400_that_names_each_line_and_write_nothing(project, contributor, api_client_for):
    body = {
        "project": project.pk,
        "suite": "spec-rubric",
        "tasks_per_level": 1,
        "model_name": "m",
        "completions": [{"task_id": "nope", "completion": "x"}],
    }
    response = api_client_for(contributor).post("/api/v1/evaluation-runs/", body, format="json")
    assert response.status_code == 400
    assert "line 1: task 'nope' is not in the suite's task set." in json.dumps(response.data)
    assert not EvaluationRun.objects.exists()


def test_citing_and_accepting_a_suggestion_through_the_api(project, assessment, contributor, api_client_for):
    run = demo_services.demo_run_create(project=project, by=contributor, spec=DEMO_RUNS[1])
    hazard = make_hazard(assessment, contributor, inherent_likelihood=5)
    api = api_client_for(contributor)
    cited = api.post(
        "/api/v1/evidence-citations/",
        {"hazard": hazard.pk, "run": run.pk, "relation": "capability_enabled", "level": 5},
        format="json",
    )
    assert cited.status_code == 201, cited.data
    assert cited.data["suggestion"]["value"] == 1 and cited.data["suggestion"]["reasons"]
    accepted = api.post(
        f"/api/v1/evidence-citations/{cited.data['id']}/accept-suggestion/",
        {},
        format="json",
        headers={"If-Match": f'"{hazard.pk}-{hazard.version}"'},
    )
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["inherent_likelihood"] == 1
    stale = api.post(
        f"/api/v1/evidence-citations/{cited.data['id']}/accept-suggestion/",
        {},
        format="json",
        headers={"If-Match": f'"{hazard.pk}-{hazard.version}"'},
    )
    assert stale.status_code == 412


def test_outsiders_get_404_and_viewers_cannot_write(
    project, assessment, contributor, viewer, outsider, owner, api_client_for
):
    run = demo_services.demo_run_create(project=project, by=contributor, spec=DEMO_RUNS[1])
    hazard = make_hazard(assessment, contributor)
    citation = services.citation_create(hazard_id=hazard.pk, by=contributor, run_id=run.pk, relation="capability_gap")
    endpoint = ModelEndpoint.objects.create(
        project=project, name="e", base_url="https://x.example/v1", model="m", api_key_encrypted=CIPHERTEXT
    )
    stranger = api_client_for(outsider)
    for path in (
        f"/api/v1/evaluation-runs/{run.pk}/",
        f"/api/v1/evaluation-runs/{run.pk}/tasks/",
        f"/api/v1/evidence-citations/{citation.pk}/",
        f"/api/v1/model-endpoints/{endpoint.pk}/",
    ):
        assert stranger.get(path).status_code == 404, path
    assert stranger.post(f"/api/v1/evaluation-runs/{run.pk}/cancel/").status_code == 404
    assert stranger.get("/api/v1/evaluation-runs/").data["results"] == []
    body = {
        "project": project.pk,
        "suite": "spec-rubric",
        "model_name": "m",
        "completions": completions(rubric_tasks()),
    }
    assert api_client_for(viewer).post("/api/v1/evaluation-runs/", body, format="json").status_code == 403
    shown = api_client_for(owner).get(f"/api/v1/model-endpoints/{endpoint.pk}/").data
    assert shown["api_key_set"] is True and CIPHERTEXT not in json.dumps(shown)


def test_the_suites_and_their_prompts(project, contributor, api_client_for):
    api = api_client_for(contributor)
    suites = api.get("/api/v1/evaluation-suites/").data
    assert {s["key"] for s in suites} == {"chained", "spec-rubric"}
    prompts = api.get(
        "/api/v1/evaluation-suites/chained/prompts/", {"project": project.pk, "seed": 2022, "tasks_per_level": 1}
    ).data
    assert len(prompts) == 13 and prompts[0]["prompt"].startswith("def string_manipulation")
    bad = api.get("/api/v1/evaluation-suites/chained/prompts/", {"project": project.pk, "seed": "x"})
    assert bad.status_code == 400
