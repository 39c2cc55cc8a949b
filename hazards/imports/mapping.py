"""Which spreadsheet column feeds which register field: the fields, and a first guess from the headers.

A guess comes first from the mapping the project remembered from its last import (keyed by header text),
then from common header names, then from the words of the header ("current_proba", "Gravité résiduelle",
"Existing controls"), so other tools' registers map themselves and a team's usual one after the first time.
"""

import re
from dataclasses import dataclass

from hazards.imports import vocabulary

IGNORE = ""


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    help: str
    synonyms: tuple[str, ...]
    required: bool = False


FIELDS: tuple[Field, ...] = (
    Field(
        "title",
        "Title",
        "The hazard scenario in a few words (required).",
        (
            "title",
            "hazard",
            "hazardtitle",
            "risk",
            "risktitle",
            "scenario",
            "name",
            "hazardscenario",
            "titre",
            "intitule",
            "libelle",
            "risque",
            "nom",
        ),
        True,
    ),
    Field(
        "description",
        "Description",
        "What could happen.",
        ("description", "details", "riskdescription", "hazarddescription", "descriptif"),
    ),
    Field(
        "category",
        "Category",
        "A catalogue area, by name or code (e.g. Security).",
        ("category", "area", "type", "riskcategory", "hazardcategory", "categorie", "domaine"),
    ),
    Field(
        "external_ref",
        "External reference",
        "The row's id in the register it comes from (e.g. R-12); kept on the scenario.",
        ("ref", "refid", "reference", "id", "riskid", "externalref", "externalreference", "externalid"),
    ),
    Field("causes", "Causes", "", ("cause", "causes", "source", "trigger", "origine")),
    Field(
        "affected_parties",
        "Affected parties",
        "",
        ("affectedparties", "affectedparty", "stakeholders", "whoisaffected"),
    ),
    Field(
        "inherent_likelihood",
        "Inherent likelihood",
        "A number or a level name of the matrix.",
        ("likelihood", "inherentlikelihood", "probability", "initiallikelihood", "inherentprobability", "l"),
    ),
    Field(
        "inherent_severity",
        "Inherent severity",
        "A number or a level name of the matrix.",
        ("severity", "inherentseverity", "impact", "initialseverity", "inherentimpact", "s"),
    ),
    Field(
        "residual_likelihood",
        "Residual likelihood",
        "",
        ("residuallikelihood", "residualprobability", "targetlikelihood"),
    ),
    Field("residual_severity", "Residual severity", "", ("residualseverity", "residualimpact", "targetseverity")),
    Field(
        "treatment",
        "Treatment",
        "Mitigate, accept, transfer or avoid.",
        ("treatment", "response", "strategy", "riskresponse", "traitement", "decision", "treatmentstrategy"),
    ),
    Field(
        "owner",
        "Owner",
        "Username or e-mail of a project member.",
        ("owner", "riskowner", "hazardowner", "responsible"),
    ),
    Field(
        "consequences",
        "Consequences",
        "One consequence per line.",
        ("consequence", "consequences", "effect", "effects", "harm", "harms", "dommages"),
    ),
    Field(
        "harm_type", "Harm type", "Harm type of the row's consequences (default technical).", ("harmtype", "typeofharm")
    ),
    Field(
        "mitigations",
        "Mitigations",
        "One mitigation per line, or separated by ; or ,; a control named in several rows (or already in the "
        "assessment) is one mitigation linked to each.",
        ("mitigation", "mitigations", "control", "controls", "countermeasure", "countermeasures", "actions"),
    ),
    Field(
        "existing_controls",
        "Existing controls",
        "Controls already in place (one per line, or separated by ; or ,): mitigations marked implemented.",
        ("existingcontrols", "currentcontrols", "existingmitigations", "controlsinplace", "appliedcontrols"),
    ),
    Field(
        "mitigation_kind",
        "Mitigation kind",
        "Kind of the row's mitigations (default technical control).",
        ("mitigationkind", "controltype", "kind"),
    ),
    Field("mitigation_status", "Mitigation status", "", ("mitigationstatus", "status", "controlstatus")),
    Field(
        "mitigation_owner",
        "Mitigation owner",
        "Username or e-mail of a project member.",
        ("mitigationowner", "actionowner", "assignee"),
    ),
    Field(
        "mitigation_due_date",
        "Mitigation due date",
        "",
        ("duedate", "mitigationduedate", "due", "deadline", "targetdate"),
    ),
    Field("ticket_system", "Ticket system", "e.g. jira, github", ("ticketsystem", "tracker", "system")),
    Field(
        "ticket_key",
        "Ticket key",
        "e.g. SEC-123; needs exactly one mitigation in the row.",
        ("ticket", "ticketkey", "issue", "jira", "jirakey", "key"),
    ),
    Field("ticket_url", "Ticket URL", "", ("ticketurl", "issueurl", "link", "url")),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}
_SYNONYMS = {synonym: f.key for f in FIELDS for synonym in f.synonyms}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (header or "").lower())


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


LIKELIHOOD = _words("likelihood probability probabilite proba prob occurrence frequency frequence vraisemblance")
IMPACT = _words("impact impacts severity gravity gravite sev")
RESIDUAL = _words("residual residuel residuelle target cible net after post remaining final treated")
REFERENCE = _words("ref reference id identifier identifiant refid")
REFERENCE_QUALIFIERS = _words("risk risque hazard scenario external externe no number num original source")
CONTROLS = _words("control controls controle controles mitigation mitigations measure measures mesure mesures")
CONTROLS_ALSO = _words("safeguard safeguards countermeasure countermeasures action actions")
EXISTING = _words("existing current applied implemented existant existants existante existantes actuel actuels")
OWNER = _words("owner owners responsible responsable proprietaire pilote accountable")
DUE = _words("due deadline echeance")
TITLE = _words("title titre name nom intitule libelle")


def _by_words(header: str) -> str:
    """A field from the words of a header, for the names other tools give their columns."""
    words = set(vocabulary.words(header))
    stage = "residual" if words & RESIDUAL else "inherent"  # "current" and "initial" are inherent here
    if words & LIKELIHOOD:
        return f"{stage}_likelihood"
    if words & IMPACT:
        return f"{stage}_severity"
    if words & (CONTROLS | CONTROLS_ALSO):
        if words & OWNER:
            return "mitigation_owner"
        if words & DUE:
            return "mitigation_due_date"
        return "existing_controls" if words & EXISTING or {"in", "place"} <= words else "mitigations"
    if words & REFERENCE and words <= REFERENCE | REFERENCE_QUALIFIERS:
        return "external_ref"
    if words & OWNER:
        return "owner"
    if words & DUE or {"target", "date"} <= words:
        return "mitigation_due_date"
    if words & TITLE and words <= TITLE | REFERENCE_QUALIFIERS | {"of", "the", "du", "de"}:
        return "title"
    return IGNORE


def field_for(header: str) -> str:
    """The field a header most likely names, or IGNORE."""
    return _SYNONYMS.get(vocabulary.key(header)) or _by_words(header)


def guess(headers: list[str], remembered: dict[str, str]) -> dict[str, str]:
    """header → field key (or IGNORE); each field is used by at most one column, the leftmost."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        if not header or header in mapping:
            continue
        key = normalise(header)
        # A column the project chose to ignore last time stays ignored.
        field = remembered[key] if remembered.get(key, "?") in {*FIELDS_BY_KEY, IGNORE} else field_for(header)
        if field and field in taken:
            field = IGNORE
        mapping[header] = field
        if field:
            taken.add(field)
    return mapping


def problems(mapping: dict[str, str]) -> list[str]:
    """What is wrong with a mapping chosen by the user (empty when it can be used)."""
    used: dict[str, list[str]] = {}
    for header, field in mapping.items():
        if field and field not in FIELDS_BY_KEY:
            return [f"“{field}” is not a field Hazlog knows."]
        if field:
            used.setdefault(field, []).append(header)
    found = [
        f"{FIELDS_BY_KEY[field].label} is chosen for several columns: {', '.join(headers)}."
        for field, headers in used.items()
        if len(headers) > 1
    ]
    missing = [
        f"Choose the column that holds the {f.label.lower()}." for f in FIELDS if f.required and f.key not in used
    ]
    return found + missing


def remembered_form(mapping: dict[str, str]) -> dict[str, str]:
    """The mapping as the project keeps it: by normalised header, so "Risk owner " matches "risk owner"."""
    return {normalise(header): field for header, field in mapping.items() if normalise(header)}
