"""Import jobs: upload a file, map its columns, preview every row, then import all of it or nothing.

A preview runs the real import inside a savepoint that is always rolled back, so it finds every
problem the services would find (refs, ratings on this matrix, members, ticket keys) without writing
anything. The import runs the same code again and commits only if no row has a problem.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from assessments import audit, permissions, workflow
from assessments.errors import ContentFrozen, InvalidInput
from assessments.models import Assessment, ImportJob, Project, Via
from hazards import scoring
from hazards.imports import mapping as mappings
from hazards.imports import reading, rows, values, writing

PREVIEW_ROWS = 50
# The first rows of the file are kept for the mapping page, to show where the header row is.
TOP_CELL_CHARS = 60


class _Rollback(Exception):
    pass


def _read_upload(uploaded: UploadedFile) -> tuple[str, bytes]:
    reading.check_size(uploaded.size or 0)
    data = uploaded.read(reading.settings.UPLOAD_MAX_BYTES + 1)
    reading.check_size(len(data))
    return reading.detect_source(uploaded.name or "", data[:8]), data


def _target(project: Project, by: User, assessment_id: int | None, new_title: str, source: str):
    if source == ImportJob.Source.JSON or not assessment_id:
        if source != ImportJob.Source.JSON and not (new_title or "").strip():
            raise InvalidInput({"new_title": ["Name the new assessment, or choose one to add the rows to."]})
        return None
    assessment = Assessment.objects.filter(pk=assessment_id, project=project).first()
    if assessment is None:
        raise InvalidInput({"assessment": ["Choose an assessment of this project."]})
    try:
        workflow.ensure_editable(assessment)
    except ContentFrozen as exc:
        raise InvalidInput({"assessment": [str(exc)]}) from None
    return assessment


@transaction.atomic
def import_upload(
    *,
    project_id: int,
    by: User,
    uploaded: UploadedFile,
    assessment_id: int | None = None,
    new_title: str = "",
) -> ImportJob:
    """Check and store an upload; spreadsheets get a first guess at their column mapping."""
    project = Project.objects.get(pk=project_id)
    if not permissions.can_contribute(by, project):
        raise PermissionDenied("Only contributors and above can import into a project.")
    try:
        source, data = _read_upload(uploaded)
        target = _target(project, by, assessment_id, new_title, source)
        report: dict = {"new_title": (new_title or "").strip(), "warnings": []}
        guessed: dict[str, str] = {}
        if source == ImportJob.Source.JSON:
            document = reading.read_json(data)
            report["rows"] = len(document["scenarios"])
            report["new_title"] = report["new_title"] or document["assessment"].get("title", "")
        else:
            table = reading.read_table(source, data)
            report.update(_table_report(table), warnings=table.warnings)
            guessed = mappings.guess(table.headers, project.import_mapping or {})
    except reading.UploadRejected as exc:
        raise InvalidInput({"file": [str(exc)]}) from None
    job = ImportJob(
        project=project,
        assessment=target,
        created_by=by,
        source=source,
        original_name=(uploaded.name or "upload")[:255],
        mapping=guessed,
        report=report,
    )
    # The stored name is ours, never the uploader's (no paths, no executable extensions).
    job.file.save(f"import.{source}", ContentFile(data), save=False)
    job.save()
    return job


def _table_report(table: reading.Table) -> dict:
    return {
        "rows": len(table.rows),
        "headers": table.headers,
        "sheet": table.sheet,
        "header_row": table.header_row,
        "top": [[number, [cell[:TOP_CELL_CHARS] for cell in cells]] for number, cells in table.top],
    }


def read_job_table(job: ImportJob) -> reading.Table:
    """The job's spreadsheet, read from the header row found at upload or chosen since."""
    return reading.read_table(job.source, file_bytes(job), job.report.get("header_row"))


def job_matrix(job: ImportJob) -> dict:
    """The matrix the rows will be rated on: the target's, or the project's for a new assessment."""
    return job.assessment.matrix if job.assessment_id else job.project.matrix


def _editable_job(job_id: int, by: User, *, lock: bool = False) -> ImportJob:
    jobs = ImportJob.objects.select_related("project", "assessment")
    if lock:
        # Only the job row: the assessment is a nullable (outer) join, which PostgreSQL cannot lock.
        jobs = jobs.select_for_update(of=("self",))
    job = jobs.get(pk=job_id)
    if job.created_by_id != by.pk or not permissions.can_contribute(by, job.project):
        raise PermissionDenied("Only the person who uploaded the file can continue this import.")
    if job.status == ImportJob.State.IMPORTED:
        raise InvalidInput({"__all__": ["This file has already been imported."]})
    return job


@transaction.atomic
def import_set_mapping(*, job_id: int, by: User, mapping: dict[str, str]) -> ImportJob:
    """Use this column mapping for the import and remember it for the project's next one."""
    job = _editable_job(job_id, by, lock=True)
    headers = job.report.get("headers", [])
    mapping = {header: mapping.get(header, "") for header in headers if header}
    problems = mappings.problems(mapping)
    if problems:
        raise InvalidInput({"mapping": problems})
    job.mapping = mapping
    job.status = ImportJob.State.UPLOADED
    # The values of the rating and choice columns start as proposed (or as the project chose before).
    proposed = values.propose(read_job_table(job), mapping, job_matrix(job), job.project.import_values or {})
    job.values = values.chosen(proposed)
    job.save(update_fields=["mapping", "values", "status"])
    project = Project.objects.select_for_update().get(pk=job.project_id)
    remembered = {**(project.import_mapping or {}), **mappings.remembered_form(mapping)}
    if remembered != project.import_mapping:
        before = project.import_mapping
        Project.objects.filter(pk=project.pk).update(import_mapping=remembered)
        audit.record(
            actor=by,
            via=Via.WEB,
            action="project.updated",
            project=project,
            obj=project,
            changes={"import_mapping": [before, remembered]},
        )
    return job


@transaction.atomic
def import_set_header_row(*, job_id: int, by: User, header_row: int) -> ImportJob:
    """Read the file with its column names on `header_row`; the columns are guessed again."""
    job = _editable_job(job_id, by, lock=True)
    try:
        table = reading.read_table(job.source, file_bytes(job), header_row)
    except reading.UploadRejected as exc:
        raise InvalidInput({"header_row": [str(exc)]}) from None
    job.report = {**job.report, **_table_report(table)}
    job.mapping = mappings.guess(table.headers, job.project.import_mapping or {})
    job.values = {}
    job.status = ImportJob.State.UPLOADED
    job.save(update_fields=["report", "mapping", "values", "status"])
    return job


def value_choices(job: ImportJob) -> dict[str, list[values.Value]]:
    """Every distinct value of the job's rating and choice columns, as the job will read it now."""
    proposed = values.propose(read_job_table(job), job.mapping, job_matrix(job), job.project.import_values or {})
    for group, listed in proposed.items():
        current = job.values.get(group, {})
        for value in listed:
            if value.key in current:
                if not value.mapped or current[value.key] != value.choice:
                    value.reason = "chosen for this import"
                value.choice, value.mapped = current[value.key], True
            elif value.mapped:
                value.choice, value.mapped, value.reason = None, False, "not mapped for this import"
    return proposed


@transaction.atomic
def import_set_values(*, job_id: int, by: User, chosen: dict[str, dict]) -> ImportJob:
    """Read these values as these levels or choices, and remember them for the project's next import.

    `chosen` is {group: {value key: register value}}, holding only mapped values (None: read as empty).
    """
    job = _editable_job(job_id, by, lock=True)
    matrix = job_matrix(job)
    found = values.found(read_job_table(job), job.mapping)
    problems = [
        f"{values.LABELS.get(group, group)} is not a column of this import." for group in chosen if group not in found
    ]
    for group, mapped in chosen.items():
        problems += values.problems(group, mapped, matrix)
        problems += [f"“{word}” is not a value of the file." for word in mapped if word not in found.get(group, {})]
    if problems:
        raise InvalidInput({"values": problems})
    job.values = {group: dict(mapped) for group, mapped in chosen.items() if mapped}
    job.status = ImportJob.State.UPLOADED
    job.save(update_fields=["values", "status"])
    project = Project.objects.select_for_update().get(pk=job.project_id)
    before = project.import_values or {}
    remembered = {group: dict(words) for group, words in before.items()}
    for group, words in found.items():
        kept = remembered.setdefault(group, {})
        for word in words:
            # A value the user left unmapped is forgotten, so it is proposed afresh next time.
            if word in chosen.get(group, {}):
                kept[word] = chosen[group][word]
            else:
                kept.pop(word, None)
    remembered = {group: words for group, words in remembered.items() if words}
    if remembered != before:
        Project.objects.filter(pk=project.pk).update(import_values=remembered)
        audit.record(
            actor=by,
            via=Via.WEB,
            action="project.updated",
            project=project,
            obj=project,
            changes={"import_values": [before, remembered]},
        )
    return job


def file_bytes(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def _run(job: ImportJob, by: User) -> tuple[Assessment | None, list[rows.Problem], list[str], list[dict], dict]:
    """Import the job's file; returns the target, problems, warnings, a preview of the first rows and a
    summary of what is written (scenarios, new mitigations, links)."""
    data = file_bytes(job)
    if job.source == ImportJob.Source.JSON:
        document = reading.read_json(data)
        assessment, problems, warnings = writing.write_document(
            document, project=job.project, by=by, title=job.report.get("new_title", "")
        )
        preview = [
            {"row": s.get("ref"), "values": {"title": s.get("title"), "category": s.get("category")}}
            for s in document["scenarios"][:PREVIEW_ROWS]
        ]
        return assessment, problems, warnings, preview, {}
    table = reading.read_table(job.source, data, job.report.get("header_row"))
    assessment = job.assessment
    if assessment is None:
        from assessments import services as assessment_services

        assessment = assessment_services.assessment_create(
            project_id=job.project_id, by=by, title=job.report.get("new_title", "")
        )
    matrix = Assessment.objects.values_list("matrix", flat=True).get(pk=assessment.pk)
    converted = rows.convert(table, job.mapping, matrix, rows.members_by_name(job.project), job.values)
    written = writing.write_rows(assessment, converted, by)
    preview = [
        {"row": row.number, "values": _shown(row.values, matrix), "problems": [p.message for p in row.problems]}
        for row in converted[:PREVIEW_ROWS]
    ]
    summary = {"scenarios": written.scenarios, "mitigations": written.mitigations, "links": written.links}
    return assessment, written.problems, list(table.warnings), preview, summary


def _shown(row_values: dict, matrix: dict) -> dict:
    """A row's values as the register will show them: "4 · Probable", "Mitigate", usernames."""
    shown = {}
    for key, value in row_values.items():
        if key in values.RATING_GROUPS["likelihood"] + values.RATING_GROUPS["severity"] and value is not None:
            value = f"{value} · {scoring.axis_name(matrix, key.split('_')[1], value)}"
        elif key in values.CHOICE_GROUPS and value:
            value = str(values.CHOICE_GROUPS[key](value).label)
        elif isinstance(value, User):
            value = value.get_username()
        elif isinstance(value, list):
            value = "\n".join(value)
        elif value is not None and not isinstance(value, str | int):
            value = str(value)
        shown[key] = value
    return shown


def _report(job: ImportJob, problems, warnings, preview, summary, **extra) -> dict:
    kept = ("new_title", "rows", "headers", "sheet", "header_row", "top")
    return {
        **{key: job.report.get(key) for key in kept if key in job.report},
        "summary": summary,
        "ok": not problems,
        "errors": [p.as_json() for p in problems],
        "warnings": warnings,
        "preview": preview,
        **extra,
    }


def import_preview(*, job_id: int, by: User) -> ImportJob:
    """Run the import in a savepoint that is rolled back; the report lists every problem by row/column."""
    with transaction.atomic():
        # Held until the report is stored, so a preview cannot overwrite the result of an import running
        # at the same time (the job would look importable again).
        job = _editable_job(job_id, by, lock=True)
        if job.source != ImportJob.Source.JSON and mappings.problems(job.mapping):
            raise InvalidInput({"mapping": mappings.problems(job.mapping)})
        result: dict = {}
        try:
            with transaction.atomic():
                result["value"] = _run(job, by)
                raise _Rollback
        except _Rollback:
            pass
        except reading.UploadRejected as exc:
            raise InvalidInput({"file": [str(exc)]}) from None
        _, problems, warnings, preview, summary = result["value"]
        job.report = _report(job, problems, warnings, preview, summary)
        job.status = ImportJob.State.PREVIEWED
        job.save(update_fields=["report", "status"])
    return job


def import_apply(*, job_id: int, by: User) -> ImportJob:
    """Import every row or none: any problem rolls the whole import back and is reported.

    Runs at most once per job: the job's row is locked first, so two "Import" clicks at once run one after
    the other, and the second, finding the job imported, is refused instead of importing the file again.
    """
    with transaction.atomic():
        job = _editable_job(job_id, by, lock=True)
        try:
            with transaction.atomic():
                assessment, problems, warnings, preview, summary = _run(job, by)
                if problems:
                    raise _Rollback
                audit.record(
                    actor=by,
                    via=Via.WEB,
                    action="import.completed",
                    project=job.project,
                    assessment=assessment,
                    obj=assessment,
                    object_ref=f"rev {assessment.revision}",
                    changes={"file": [None, job.original_name], "rows": [None, job.report.get("rows")]},
                )
            job.assessment = assessment
            job.report = _report(job, [], warnings, preview, summary, imported=job.report.get("rows"))
            job.status = ImportJob.State.IMPORTED
        except _Rollback:
            job.refresh_from_db()
            job.report = _report(job, problems, warnings, preview, summary)
            job.status = ImportJob.State.FAILED
        except reading.UploadRejected as exc:
            raise InvalidInput({"file": [str(exc)]}) from None
        job.finished_at = timezone.now()
        job.save(update_fields=["assessment", "report", "status", "finished_at"])
    return job
