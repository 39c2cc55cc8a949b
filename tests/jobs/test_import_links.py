"""Controls an import links to mitigations already in the draft: one new version each, in one statement."""

from assessments.models import AuditEvent, ImportJob
from hazards import services
from hazards.imports import service
from hazards.models import Mitigation
from tests.jobs.test_imports import HEADERS, csv_bytes, start


def _rows(n: int) -> list[list]:
    return [
        [f"Scenario {i}", "", "Security", 2, 3, 1, 2, "", "", f"Control {i}", None, None, None, ""] for i in range(n)
    ]


def _import_linking(project, assessment, contributor, n: int, django_assert_max_num_queries):
    existing = [
        services.mitigation_create(
            assessment_id=assessment.pk, by=contributor, title=f"Control {i}", kind="technical_control"
        )
        for i in range(n)
    ]
    job = start(project, contributor, "r.csv", csv_bytes(HEADERS, _rows(n)), assessment_id=assessment.pk)
    with django_assert_max_num_queries(60) as captured:
        job = service.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.IMPORTED, job.report["errors"]
    return existing, len(captured.captured_queries)


def test_linking_more_existing_mitigations_takes_no_more_queries(
    project, assessment, contributor, django_assert_max_num_queries
):
    _, few = _import_linking(project, assessment, contributor, 2, django_assert_max_num_queries)
    Mitigation.objects.all().delete()
    assessment.scenarios.all().delete()
    _, many = _import_linking(project, assessment, contributor, 12, django_assert_max_num_queries)
    assert few == many


def test_every_linked_mitigation_gets_one_new_version_and_an_update_event(
    project, assessment, contributor, django_assert_max_num_queries
):
    existing, _ = _import_linking(project, assessment, contributor, 3, django_assert_max_num_queries)
    for mitigation in existing:
        fresh = Mitigation.objects.get(pk=mitigation.pk)
        assert fresh.version == 2
        assert fresh.updated_at > mitigation.updated_at
        assert list(fresh.scenarios.values_list("title", flat=True)) == [
            mitigation.title.replace("Control", "Scenario")
        ]
        event = AuditEvent.objects.get(action="mitigation.updated", object_id=mitigation.pk)
        assert event.changes["scenarios"][0] == []
