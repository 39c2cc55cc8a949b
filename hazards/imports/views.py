"""The import wizard: upload, map columns, preview with per-row problems, import (all or nothing)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from assessments import permissions
from assessments import selectors as assessment_selectors
from assessments.errors import InvalidInput
from assessments.models import ImportJob
from hazards.imports import forms, mapping, reading, selectors, service, values


def _errors(exc: InvalidInput) -> list[str]:
    return [message for messages_ in exc.errors.values() for message in messages_]


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request, project_id: int):
    project = assessment_selectors.project_get(user=request.user, project_id=project_id)
    if not permissions.can_contribute(request.user, project):
        raise PermissionDenied("Only contributors and above can import into a project.")
    targets = selectors.import_targets(project=project)
    form = forms.UploadForm(request.POST or None, request.FILES or None, targets=targets)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            job = service.import_upload(
                project_id=project.pk,
                by=request.user,
                uploaded=form.cleaned_data["file"],
                assessment_id=form.cleaned_data["assessment"],
                new_title=form.cleaned_data["new_title"],
            )
        except InvalidInput as exc:
            problems = _errors(exc)
        else:
            if job.source == ImportJob.Source.JSON:
                service.import_preview(job_id=job.pk, by=request.user)
                return redirect("import_detail", job_id=job.pk)
            return redirect("import_mapping", job_id=job.pk)
    context = {
        "project": project,
        "form": form,
        "problems": problems,
        "recent": selectors.import_recent(user=request.user, project=project),
        "fields": mapping.FIELDS,
        "max_rows": reading.settings.HAZLOG_IMPORT_MAX_ROWS,
        "max_mib": reading.settings.UPLOAD_MAX_BYTES / 1_048_576,
    }
    return render(request, "hazards/imports/start.html", context)


def _samples(table: reading.Table) -> dict[str, list[str]]:
    """The first few values of each column, to help choose its field."""
    samples: dict[str, list[str]] = {}
    for index, header in enumerate(table.headers):
        values_ = [str(cells[index]) for _, cells in table.rows[:3] if cells[index] is not None]
        samples[header] = values_
    return samples


def _has_values(job: ImportJob) -> bool:
    return any(field in values.GROUP_OF for field in job.mapping.values())


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, job_id: int):
    job = selectors.import_get(user=request.user, job_id=job_id)
    if job.source == ImportJob.Source.JSON:
        return redirect("import_detail", job_id=job.pk)
    problems: list[str] = []
    header_form = forms.header_row_form(job.report.get("top", []), job.report.get("header_row", 1))
    if request.method == "POST" and "header_row" in request.POST:
        header_form = forms.header_row_form(job.report.get("top", []), job.report.get("header_row", 1), request.POST)
        if header_form.is_valid():
            try:
                service.import_set_header_row(
                    job_id=job.pk, by=request.user, header_row=header_form.cleaned_data["header_row"]
                )
            except InvalidInput as exc:
                problems = _errors(exc)
            else:
                return redirect("import_mapping", job_id=job.pk)
    headers = job.report.get("headers", [])
    posted = request.POST if request.method == "POST" and "header_row" not in request.POST else None
    form = forms.mapping_form(headers, job.mapping, posted)
    if posted is not None and form.is_valid():
        chosen = {header: form.cleaned_data.get(f"column_{i}", "") for i, header in enumerate(headers) if header}
        try:
            job = service.import_set_mapping(job_id=job.pk, by=request.user, mapping=chosen)
            if not _has_values(job):
                service.import_preview(job_id=job.pk, by=request.user)
        except InvalidInput as exc:
            problems = _errors(exc)
        else:
            return redirect("import_values" if _has_values(job) else "import_detail", job_id=job.pk)
    samples = _samples(service.read_job_table(job))
    rows = [
        {"field": form[f"column_{i}"], "samples": samples.get(header, [])} for i, header in enumerate(headers) if header
    ]
    context = {
        "job": job,
        "form": form,
        "header_form": header_form,
        "rows": rows,
        "problems": problems,
        "fields": mapping.FIELDS,
    }
    return render(request, "hazards/imports/mapping.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def import_values(request, job_id: int):
    """Every distinct value of the rating and choice columns, with the level or choice it is read as."""
    job = selectors.import_get(user=request.user, job_id=job_id)
    if job.source == ImportJob.Source.JSON or not job.mapping:
        return redirect("import_detail", job_id=job.pk)
    listed = service.value_choices(job)
    matrix = service.job_matrix(job)
    form = forms.values_form(listed, matrix, request.POST or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            service.import_set_values(job_id=job.pk, by=request.user, chosen=forms.chosen_values(form, listed))
            service.import_preview(job_id=job.pk, by=request.user)
        except InvalidInput as exc:
            problems = _errors(exc)
        else:
            return redirect("import_detail", job_id=job.pk)
    groups = [
        {
            "label": values.LABELS[group],
            "rows": [{"value": value, "field": form[f"{group}__{index}"]} for index, value in enumerate(group_values)],
        }
        for group, group_values in listed.items()
    ]
    unmapped = sum(1 for group_values in listed.values() for value in group_values if not value.mapped)
    context = {"job": job, "groups": groups, "form": form, "problems": problems, "unmapped": unmapped}
    return render(request, "hazards/imports/values.html", context)


@login_required
def import_detail(request, job_id: int):
    job = selectors.import_get(user=request.user, job_id=job_id)
    report = job.report or {}
    columns = [f for f in mapping.FIELDS if f.key in set(job.mapping.values())] if job.mapping else []
    context = {
        "job": job,
        "report": report,
        "columns": columns,
        "preview": [
            {**row, "cells": [row.get("values", {}).get(f.key) for f in columns]} for row in report.get("preview", [])
        ],
    }
    return render(request, "hazards/imports/detail.html", context)


@login_required
@require_POST
def import_apply(request, job_id: int):
    job = selectors.import_get(user=request.user, job_id=job_id)
    try:
        job = service.import_apply(job_id=job.pk, by=request.user)
    except InvalidInput as exc:
        for problem in _errors(exc):
            messages.error(request, problem)
        return redirect("import_detail", job_id=job.pk)
    if job.status == ImportJob.State.IMPORTED:
        messages.success(request, f"Imported {job.report.get('rows', 0)} rows from {job.original_name}.")
        return redirect("assessment_detail", assessment_id=job.assessment_id)
    messages.error(request, "Nothing was imported: fix the problems listed below and try again.")
    return redirect("import_detail", job_id=job.pk)
