"""The PDF laid out in parallel: forked processes (results in order, failures raised, none left behind),
the same report whatever the number of processes, every field of the register on the page, page numbers."""

import os
import signal

import pypdf
import pytest

from assessments.exports import processes, service
from assessments.models import ExportJob
from hazards import scoring
from tests.jobs.test_export_formats import export


def _children() -> set[int]:
    pids = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as handle:
            pids.update(int(pid) for pid in handle.read().split())
    return pids


@pytest.fixture
def live_children():
    """The test process's children that the test itself left: servers other tests started stay out of it."""
    before = _children()
    return lambda: sorted(_children() - before)


def pid_of(item):
    return item, os.getpid()


def test_items_are_computed_in_forked_processes_and_come_back_in_order(live_children):
    finished = []
    results = processes.run(pid_of, list(range(7)), processes=3, done=finished.append)
    assert [item for item, _ in results] == list(range(7))
    pids = {pid for _, pid in results}
    assert os.getpid() not in pids
    assert len(pids) == 7  # a fresh process per item: none keeps the memory of an earlier part
    assert finished == [1, 2, 3, 4, 5, 6, 7]
    assert live_children() == []


def test_one_process_computes_in_place():
    results = processes.run(pid_of, [1, 2], processes=1)
    assert results == [(1, os.getpid()), (2, os.getpid())]


def fail_on_three(item):
    if item == 3:
        raise ValueError("no room for the third part")
    return item


def test_a_failing_item_raises_with_its_message_and_leaves_no_process_behind(live_children):
    with pytest.raises(processes.PartFailed, match=r"Part 4 of 6 failed \(ValueError: no room for the third part\)"):
        processes.run(fail_on_three, list(range(6)), processes=2)
    assert live_children() == []


def killed_on_two(item):
    if item == 2:
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does
    return item


def test_a_process_killed_mid_item_is_a_failure_not_a_hang(live_children):
    with pytest.raises(processes.PartFailed, match="stopped without an answer"):
        processes.run(killed_on_two, list(range(4)), processes=2)
    assert live_children() == []


def page_texts(job) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(job.file.path).pages]


@pytest.mark.parametrize("count", [1, 3])
def test_the_report_is_the_same_whatever_the_number_of_processes(
    register, contributor, celery_eager, settings, monkeypatch, count
):
    from assessments.exports import to_pdf

    monkeypatch.setattr(to_pdf, "SCENARIOS_PER_PART", 1)
    monkeypatch.setattr(to_pdf, "MITIGATIONS_PER_PART", 1)
    settings.HAZLOG_PDF_PROCESSES = 2
    reference = page_texts(export(register, contributor, "pdf"))
    settings.HAZLOG_PDF_PROCESSES = count
    texts = page_texts(export(register, contributor, "pdf"))
    # The cover names the minute of the export, which may differ; every other page is the same.
    assert len(texts) == len(reference) and texts[1:] == reference[1:]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number}" in text


def test_every_field_of_the_register_and_the_mitigations_is_in_the_report(approved, contributor, celery_eager):
    job = export(approved, contributor, "pdf")
    text = " ".join(page_texts(job))
    due = ExportJob.objects.get(pk=job.pk).assessment.mitigations.get(ref="M-001").due_date.isoformat()
    matrix = approved.matrix
    h001 = approved.scenarios.get(ref="H-001")

    def rating(likelihood, severity, level) -> str:
        name = next(lvl["name"] for lvl in matrix["levels"] if lvl["key"] == level)
        axes = (scoring.axis_name(matrix, "likelihood", likelihood), scoring.axis_name(matrix, "severity", severity))
        return f"{name} (L{likelihood} {axes[0]} × S{severity} {axes[1]})"

    for expected in [
        # A scenario: ref and title, category, treatment, owner, both ratings: level and axes with their names.
        'H-001 · =HYPERLINK("http://evil") injected',
        "Security · Treatment:",
        "Owner: alice",
        "Inherent: " + rating(h001.inherent_likelihood, h001.inherent_severity, h001.inherent_level),
        "Residual: " + rating(h001.residual_likelihood, h001.residual_severity, h001.residual_level),
        "Generated code for task 1 contains a vulnerability. Second line.",
        "Causes: Training data with vulnerable patterns",
        "Affected parties: Developers, end users",
        # Its consequences: description, harm type, affected party, severity with its name.
        "• Data breach through injected code (1) — Security harm to end users, severity 3",
        # The mitigations addressing it and its acceptance.
        "Mitigations: M-001",
        "Accepted until",
        "by carol",
        # A mitigation: kind, status, owner, due date, ticket, the scenarios addressed, the ticket URL.
        "M-001 · Static analysis gate on suggestions",
        "Technical control · In progress · Owner: alice",
        f"Due: {due}",
        "Ticket: jira SEC-101",
        "Addresses: H-001, H-002, H-003",
        "https://jira.example.com/browse/SEC-101",
        "M-002 · Secure coding training",
        "Owner: unassigned",
        "no scenario",
    ]:
        assert expected in text, expected


def test_the_pdf_of_a_register_over_many_parts_is_one_document_numbered_from_one(
    register, contributor, celery_eager, settings, monkeypatch, live_children
):
    from assessments.exports import to_pdf

    monkeypatch.setattr(to_pdf, "SCENARIOS_PER_PART", 2)
    settings.HAZLOG_PDF_PROCESSES = 2
    job = service.export_request(assessment_id=register.pk, by=contributor, format="pdf")
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE, job.error
    texts = page_texts(job)
    assert [f"Page {n}" in text for n, text in enumerate(texts, start=1)] == [True] * len(texts)
    assert live_children() == []


def test_the_running_title_is_one_shared_drawing_on_every_page_but_the_cover_in_any_script(
    register, contributor, celery_eager, monkeypatch
):
    from assessments.exports import to_pdf
    from assessments.models import Assessment

    monkeypatch.setattr(to_pdf, "SCENARIOS_PER_PART", 1)
    Assessment.objects.filter(pk=register.pk).update(title="Überprüfung – Ωμέγα ∑ “quoted”")
    job = export(register, contributor, "pdf")
    reader = pypdf.PdfReader(job.file.path)
    texts = page_texts(job)
    running_title = f"{register.project.name} · Überprüfung – Ωμέγα ∑ “quoted” · revision 1"
    assert running_title not in texts[0]
    assert all(running_title in text for text in texts[1:])
    # Laid out once: every page draws the same form XObject rather than a copy of its own.
    forms = {page["/Resources"]["/XObject"].raw_get("/HazlogRunningTitle").idnum for page in reader.pages}
    assert len(forms) == 1
