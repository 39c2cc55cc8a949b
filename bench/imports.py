"""Import benchmark: re-import the JSON export of the 2,000-scenario assessment (preview, then import).

Every row goes through the hazards services (validation, refs, levels, audit), so this measures the price
of doing an import exactly as typing it in would; the baseline is building the export document itself.
"""

import json
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext


def run(assessment) -> dict:
    from assessments.exports import document
    from assessments.models import Assessment, ImportJob
    from hazards.imports import service

    user = assessment.project.memberships.filter(role__in=["contributor", "owner"]).select_related("user").first().user
    start = time.perf_counter()
    data = json.dumps(document.build(assessment)).encode()
    export_s = time.perf_counter() - start
    job = service.import_upload(
        project_id=assessment.project_id,
        by=user,
        uploaded=SimpleUploadedFile("bench.json", data),
        new_title="Bench import",
    )
    with CaptureQueriesContext(connection) as preview_ctx:
        start = time.perf_counter()
        job = service.import_preview(job_id=job.pk, by=user)
        preview_s = time.perf_counter() - start
    with CaptureQueriesContext(connection) as apply_ctx:
        start = time.perf_counter()
        job = service.import_apply(job_id=job.pk, by=user)
        apply_s = time.perf_counter() - start
    result = {
        "benchmark": "imports",
        "scenarios": len(json.loads(data)["scenarios"]),
        "status": job.status,
        "errors": len(job.report.get("errors", [])),
        "build_document_s": round(export_s, 2),
        "preview_s": round(preview_s, 1),
        "preview_queries": len(preview_ctx.captured_queries),
        "import_s": round(apply_s, 1),
        "import_queries": len(apply_ctx.captured_queries),
        "ratio_import_to_document": round(apply_s / export_s, 1),
    }
    # Leave the data set as it was, so the other benchmarks keep measuring the same rows.
    if job.assessment_id:
        from hazards.models import HazardScenario, Mitigation

        Mitigation.objects.filter(assessment_id=job.assessment_id).delete()
        HazardScenario.objects.filter(assessment_id=job.assessment_id).delete()
        Assessment.objects.filter(pk=job.assessment_id).update(approved_snapshot=None)
        from assessments.models import AuditEvent

        AuditEvent.objects.filter(assessment_id=job.assessment_id).delete()
        ImportJob.objects.filter(pk=job.pk).delete()
        Assessment.objects.filter(pk=job.assessment_id).delete()
    return result
