"""Registers exported from other tools import without editing the file first.

The files are written here, in the shapes such registers take: a semicolon CSV with `*_proba` columns and
EBIOS level names, a French workbook with a title row and merged group headers, ordered scales of 3, 4
and 5 levels, lists of controls in one cell, "--" for empty and "open" for an undecided treatment.
"""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.errors import InvalidInput
from assessments.models import AuditEvent, ImportJob, Project
from hazards.imports import mapping, reading, service, values
from hazards.models import HazardScenario, Mitigation

# A register as a GRC tool exports it (CISO Assistant's risk-scenario columns, semicolons, EBIOS levels).
GRC_ROWS = [
    [
        "ref_id",
        "name",
        "description",
        "existing_controls",
        "current_proba",
        "current_impact",
        "current_level",
        "additional_controls",
        "residual_proba",
        "residual_impact",
        "residual_level",
        "treatment",
        "owner",
        "justification",
        "strength_of_knowledge",
    ],
    [
        "R.1",
        "Hallucinated package names",
        "Suggested imports of packages that do not exist",
        "Dependency allow-list",
        "Very likely",
        "Significant",
        "High",
        "Registry proxy, Typosquat alerts",
        "Likely",
        "Significant",
        "Medium",
        "mitigate",
        "alice",
        "seen in pilot",
        "--",
    ],
    [
        "R.2",
        "Secrets in prompts",
        "Keys pasted into prompts reach the provider",
        "Secret scanning",
        "Likely",
        "Critical",
        "High",
        "DLP on the IDE plugin; Secret scanning",
        "Unlikely",
        "Critical",
        "Medium",
        "open",
        "--",
        "",
        "",
    ],
    [
        "R.3",
        "Licence-encumbered code",
        "Verbatim GPL snippets",
        "--",
        "Certain",
        "Minor",
        "Medium",
        "Registry proxy",
        "Likely",
        "Minor",
        "Low",
        "accept",
        "alice@example.com",
        "",
        "n/a",
    ],
]


def semicolon_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode()


GRC_CSV = semicolon_csv(GRC_ROWS)


def workbook(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Registre"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# A French template: a title row, a blank row, merged group headers over repeated column names.
FRENCH_XLSX = [
    ["Registre des risques — assistant de code", None, None, None, None, None, None, None],
    [None] * 8,
    [None, None, "Risque initial", None, "Risque résiduel", None, None, None],
    ["Réf", "Intitulé", "Probabilité", "Gravité", "Probabilité", "Gravité", "Mesures existantes", "Traitement"],
    ["F-1", "Code non sûr suggéré", "Très vraisemblable", "critique", "Vraisemblable", "important", "SAST", "réduire"],
    ["F-2", "Dépendance excessive", "Vraisemblable", "significatif", "Peu vraisemblable", "mineur", "-", "accepter"],
    ["F-3", "Fuite de secrets", "Quasi certain", "important", "N/A", "significatif", "SAST\nRevue", "open"],
]


def start(project, user, name, data, **kwargs) -> ImportJob:
    return service.import_upload(
        project_id=project.pk, by=user, uploaded=SimpleUploadedFile(name, data), new_title="Imported", **kwargs
    )


def map_columns(job, user) -> ImportJob:
    return service.import_set_mapping(job_id=job.pk, by=user, mapping=job.mapping)


def proposed(job) -> dict[str, dict[str, tuple]]:
    """{group: {text in the file: (register value, mapped)}} as the values page shows it."""
    return {
        group: {value.text: (value.choice, value.mapped) for value in listed}
        for group, listed in service.value_choices(job).items()
    }


def test_a_grc_tools_semicolon_register_maps_its_columns_and_values_by_itself(project, contributor):
    job = start(project, contributor, "risks.csv", GRC_CSV)
    assert job.mapping["ref_id"] == "external_ref"
    assert job.mapping["name"] == "title"
    assert job.mapping["current_proba"] == "inherent_likelihood"
    assert job.mapping["current_impact"] == "inherent_severity"
    assert job.mapping["residual_proba"] == "residual_likelihood"
    assert job.mapping["residual_impact"] == "residual_severity"
    assert job.mapping["existing_controls"] == "existing_controls"
    assert job.mapping["additional_controls"] == "mitigations"
    assert job.mapping["owner"] == "owner"
    assert job.mapping["treatment"] == "treatment"
    # Levels computed by the other tool are not ratings; Hazlog derives its own from the matrix.
    assert job.mapping["current_level"] == job.mapping["residual_level"] == ""
    job = map_columns(job, contributor)
    found = proposed(job)
    # EBIOS likelihood (Unlikely < Likely < Very likely < Certain) placed on the 5-level axis by position.
    assert found["likelihood"] == {
        "Unlikely": (1, True),
        "Likely": (2, True),
        "Very likely": (4, True),
        "Certain": (5, True),
    }
    # The file uses three of EBIOS's four gravities; they keep their places on that scale.
    assert found["severity"] == {"Minor": (1, True), "Significant": (2, True), "Critical": (5, True)}
    assert found["treatment"] == {"mitigate": ("mitigate", True), "open": (None, True), "accept": ("accept", True)}

    job = service.import_preview(job_id=job.pk, by=contributor)
    assert job.report["ok"], job.report["errors"]
    # Two new controls named in several rows become one mitigation each, linked to every row naming them.
    assert job.report["summary"] == {"scenarios": 3, "mitigations": 5, "links": 6}
    first = job.report["preview"][0]["values"]
    assert first["inherent_likelihood"] == "4 · Probable" and first["inherent_severity"] == "2 · Minor"
    assert first["mitigations"] == "Registry proxy\nTyposquat alerts"

    service.import_apply(job_id=job.pk, by=contributor)
    scenarios = {s.external_ref: s for s in HazardScenario.objects.filter(assessment__title="Imported")}
    assert set(scenarios) == {"R.1", "R.2", "R.3"}
    assert scenarios["R.2"].treatment == "mitigate"  # "open": not decided, so the default
    assert scenarios["R.2"].owner is None  # "--" is empty
    assert (scenarios["R.3"].inherent_likelihood, scenarios["R.3"].inherent_severity) == (5, 1)
    proxy = Mitigation.objects.get(assessment=scenarios["R.1"].assessment, title="Registry proxy")
    assert set(proxy.scenarios.values_list("external_ref", flat=True)) == {"R.1", "R.3"}
    scanning = Mitigation.objects.get(assessment=scenarios["R.1"].assessment, title="Secret scanning")
    assert scanning.status == "implemented"  # an existing control, also listed as additional in R.2
    assert set(scanning.scenarios.values_list("external_ref", flat=True)) == {"R.2"}
    assert Mitigation.objects.get(title="Registry proxy").status == "proposed"


def test_a_french_workbook_with_a_title_row_and_merged_group_headers(project, contributor):
    job = start(project, contributor, "registre.xlsx", workbook(FRENCH_XLSX))
    assert job.report["header_row"] == 4
    assert job.report["headers"][2:6] == [
        "Risque initial Probabilité",
        "Risque initial Gravité",
        "Risque résiduel Probabilité",
        "Risque résiduel Gravité",
    ]
    assert job.mapping == {
        "Réf": "external_ref",
        "Intitulé": "title",
        "Risque initial Probabilité": "inherent_likelihood",
        "Risque initial Gravité": "inherent_severity",
        "Risque résiduel Probabilité": "residual_likelihood",
        "Risque résiduel Gravité": "residual_severity",
        "Mesures existantes": "existing_controls",
        "Traitement": "treatment",
    }
    job = map_columns(job, contributor)
    found = proposed(job)
    assert found["likelihood"] == {
        "Peu vraisemblable": (1, True),
        "Vraisemblable": (2, True),
        "Très vraisemblable": (4, True),
        "Quasi certain": (5, True),
    }
    assert found["severity"] == {
        "mineur": (1, True),
        "significatif": (2, True),
        "important": (4, True),
        "critique": (5, True),
    }
    assert found["treatment"] == {"réduire": ("mitigate", True), "accepter": ("accept", True), "open": (None, True)}
    job = service.import_preview(job_id=job.pk, by=contributor)
    assert job.report["ok"], job.report["errors"]
    # Row numbers are the sheet's own, below the title and group rows.
    assert [row["row"] for row in job.report["preview"]] == [5, 6, 7]
    assert job.report["preview"][2]["values"]["residual_likelihood"] is None  # "N/A" is empty
    assert job.report["summary"]["mitigations"] == 2  # SAST (in two rows) and Revue; "-" is none


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        # Three levels on five: the ends stay the ends.
        (["Low", "Medium", "High"], [1, 3, 5]),
        (["Faible", "Moyen", "Élevé"], [1, 3, 5]),
        (["Low", "Medium", "High", "Very high"], [1, 2, 4, 5]),
        # Five levels on five: exactly by position.
        (["Rare", "Unlikely", "Possible", "Likely", "Almost certain"], [1, 2, 3, 4, 5]),
        (["Very low", "Low", "Medium", "High", "Very high"], [1, 2, 3, 4, 5]),
        # Numbers, with or without a label, are the levels themselves.
        (["1", "3 - Occasional", "5"], [1, 3, 5]),
        # The matrix's own names (any case, accents or spaces) win.
        (["improbable", "REMOTE", "Occasional ", "probable", "Frequent"], [1, 2, 3, 4, 5]),
    ],
)
def test_ordered_scales_of_three_four_and_five_levels_are_placed_by_position(project, contributor, levels, expected):
    rows = [["Title", "Likelihood"], *([f"Scenario {i}", level] for i, level in enumerate(levels))]
    job = map_columns(start(project, contributor, "scale.xlsx", workbook(rows)), contributor)
    assert proposed(job)["likelihood"] == {
        level.strip(): (level_value, True) for level, level_value in zip(levels, expected, strict=True)
    }


def test_the_same_scale_of_four_on_a_four_level_axis_is_read_one_to_one(project, contributor, owner):
    from hazards import scoring

    project.matrix = scoring.preset("mil_std_882e")
    project.save(update_fields=["matrix"])
    rows = [
        ["Title", "Severity"],
        *([f"S{i}", level] for i, level in enumerate(["Minor", "Significant", "Important", "Critical"])),
    ]
    job = map_columns(start(project, contributor, "scale.xlsx", workbook(rows)), contributor)
    # On MIL-STD-882E "2 Critical" is the third severity; the file's own scale of four says fourth.
    assert proposed(job)["severity"] == {
        "Minor": (1, True),
        "Significant": (2, True),
        "Important": (3, True),
        "Critical": (4, True),
    }


def test_values_the_user_changes_are_used_remembered_and_audited(project, contributor):
    rows = [["Title", "Impact", "Likelihood"], ["A", "Sev-1", "Low"], ["B", "Sev-2", "High"], ["C", "Sev-1", "Low"]]
    job = map_columns(start(project, contributor, "own.xlsx", workbook(rows)), contributor)
    found = proposed(job)
    assert found["severity"] == {"Sev-1": (None, False), "Sev-2": (None, False)}  # no match: to choose
    job = service.import_preview(job_id=job.pk, by=contributor)
    # Unmapped values are reported on their rows, as any unreadable rating is.
    assert [(e["row"], e["column"]) for e in job.report["errors"]] == [(2, "Impact"), (3, "Impact"), (4, "Impact")]
    chosen = {"severity": {"sev1": 5, "sev2": None}, "likelihood": {"low": 2, "high": 4}}
    service.import_set_values(job_id=job.pk, by=contributor, chosen=chosen)
    job = service.import_preview(job_id=job.pk, by=contributor)
    assert job.report["ok"], job.report["errors"]
    assert [row["values"]["inherent_severity"] for row in job.report["preview"]] == [
        "5 · Catastrophic",
        None,
        "5 · Catastrophic",
    ]
    project.refresh_from_db()
    assert project.import_values == chosen
    assert AuditEvent.objects.filter(action="project.updated", changes__has_key="import_values").count() == 1
    # The next import of the same register proposes what was chosen, and says so.
    again = map_columns(start(project, contributor, "own.xlsx", workbook(rows)), contributor)
    listed = {v.text: v for v in service.value_choices(again)["severity"]}
    assert (listed["Sev-1"].choice, listed["Sev-2"].choice, listed["Sev-2"].mapped) == (5, None, True)
    assert listed["Sev-1"].reason == "as chosen in an earlier import"


def test_a_value_mapping_the_matrix_cannot_hold_is_refused_and_changes_nothing(project, contributor):
    rows = [["Title", "Likelihood"], ["A", "Low"]]
    job = map_columns(start(project, contributor, "r.xlsx", workbook(rows)), contributor)
    before = dict(job.values)
    for chosen, message in [
        ({"likelihood": {"low": 9}}, "is not a value Hazlog can use"),
        ({"likelihood": {"never-seen": 2}}, "is not a value of the file"),
        ({"treatment": {"low": "mitigate"}}, "is not a column of this import"),
        ({"treatment": {"low": "ignore"}}, "is not a column of this import"),
    ]:
        with pytest.raises(InvalidInput) as caught:
            service.import_set_values(job_id=job.pk, by=contributor, chosen=chosen)
        assert message in " ".join(caught.value.errors["values"])
    job.refresh_from_db()
    assert job.values == before
    assert Project.objects.get(pk=project.pk).import_values == {}


def test_the_user_can_pick_the_header_row(project, contributor):
    rows = [["Exported 2026-12-01", "by", "tool"], ["Title", "Likelihood", "Severity"], ["A", 2, 3]]
    job = start(project, contributor, "r.xlsx", workbook(rows))
    assert job.report["header_row"] == 2 and job.mapping["Likelihood"] == "inherent_likelihood"
    assert [number for number, _ in job.report["top"]] == [1, 2, 3]
    job = service.import_set_header_row(job_id=job.pk, by=contributor, header_row=1)
    assert job.report["headers"] == ["Exported 2026-12-01", "by", "tool"] and job.report["rows"] == 2
    with pytest.raises(InvalidInput) as caught:
        service.import_set_header_row(job_id=job.pk, by=contributor, header_row=40)
    assert "choose another header row" in caught.value.errors["header_row"][0]
    job = service.import_set_header_row(job_id=job.pk, by=contributor, header_row=2)
    assert job.report["rows"] == 1


@pytest.mark.parametrize("token", ["--", "-", "n/a", "N/A", "none", "None", ""])
def test_blank_tokens_read_as_empty(token):
    table = reading.read_csv(f"Title;Likelihood;Owner\nA;{token};{token}\n".encode())
    assert table.rows == [(2, ["A", None, None])]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Likelihood", "inherent_likelihood"),
        ("current_proba", "inherent_likelihood"),
        ("Inherent probability", "inherent_likelihood"),
        ("Occurrence", "inherent_likelihood"),
        ("Frequency", "inherent_likelihood"),
        ("Residual proba", "residual_likelihood"),
        ("Probabilité résiduelle", "residual_likelihood"),
        ("Impact", "inherent_severity"),
        ("Gravité", "inherent_severity"),
        ("current_impact", "inherent_severity"),
        ("Target severity", "residual_severity"),
        ("residual_impact", "residual_severity"),
        ("ref_id", "external_ref"),
        ("Risk ID", "external_ref"),
        ("Reference", "external_ref"),
        ("Risk owner", "owner"),
        ("Propriétaire", "owner"),
        ("Control owner", "mitigation_owner"),
        ("Due date", "mitigation_due_date"),
        ("Échéance", "mitigation_due_date"),
        ("existing_controls", "existing_controls"),
        ("Controls in place", "existing_controls"),
        ("additional_controls", "mitigations"),
        ("Planned measures", "mitigations"),
        ("Risk title", "title"),
        ("current_level", ""),
        ("justification", ""),
    ],
)
def test_column_guesses(header, field):
    assert mapping.field_for(header) == field


def test_list_cells_split_on_lines_then_semicolons_then_commas():
    from hazards.imports.rows import list_items

    assert list_items("SAST\nCode review, two people") == ["SAST", "Code review, two people"]
    assert list_items("SAST; Review, pairing;SAST") == ["SAST", "Review, pairing"]
    assert list_items("SAST, Review") == ["SAST", "Review"]
    assert list_items("") == []


def test_value_mapping_queries_do_not_grow_with_rows(project, contributor):
    def job_with(rows: int) -> ImportJob:
        body = [["Title", "Likelihood", "Impact", "Existing controls", "Treatment"]]
        body += [
            [f"S{i}", ["Low", "Medium", "High"][i % 3], "Significant", f"C{i % 7}; Shared", "open"] for i in range(rows)
        ]
        job = map_columns(start(project, contributor, f"r{rows}.xlsx", workbook(body)), contributor)
        # Once first, so that both timed runs find the project's remembered values unchanged.
        service.import_set_values(job_id=job.pk, by=contributor, chosen=values.chosen(service.value_choices(job)))
        return job

    counts = []
    for job in (job_with(5), job_with(120)):
        chosen = values.chosen(service.value_choices(job))
        with CaptureQueriesContext(connection) as captured:
            service.import_set_values(job_id=job.pk, by=contributor, chosen=chosen)
            service.import_preview(job_id=job.pk, by=contributor)
        counts.append(len(captured))
        job.refresh_from_db()
        assert job.report["ok"], job.report["errors"][:3]
    assert counts[0] == counts[1]
