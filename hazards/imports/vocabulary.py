"""The words registers from other tools use for ratings and choices, in English and French.

Risk tools each name their levels their own way ("Very likely", "mineur", "significatif", "critique"). A
word alone rarely says which level of *this* matrix it is, but the scale it belongs to does: "Significant"
is the second of four in EBIOS's Minor < Significant < Important < Critical. So ratings are described as
ordered scales, lowest first, and a file's values are placed by their position on the scale they come from.

Words are stored as `key()` gives them: lower case, accents and everything but letters and digits removed.
"""

import re
import unicodedata


def key(text: str) -> str:
    """The form values are compared in: "Très vraisemblable" and "tres-vraisemblable" are the same word."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", plain.casefold())


def words(text: str) -> list[str]:
    """A header as words: "current_proba" → current, proba; "Gravité résiduelle" → gravite, residuelle."""
    decomposed = unicodedata.normalize("NFKD", re.sub(r"([a-z])([A-Z])", r"\1 \2", str(text or "")))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [word for word in re.split(r"[^a-z0-9]+", plain.casefold()) if word]


def _scale(*levels: str) -> tuple[frozenset[str], ...]:
    """An ordered scale from "word, word" groups, one group per level, lowest first."""
    return tuple(frozenset(key(word) for word in level.split(",")) for level in levels)


# Scales both axes use: plain low/high words in both languages.
_GENERIC = (
    _scale("low, faible, bas, basse", "medium, moderate, moyen, moyenne, modere, moderee", "high, eleve, elevee, haut"),
    _scale(
        "low, faible, bas",
        "medium, moderate, moyen, moyenne, modere, moderee",
        "high, eleve, elevee, haut",
        "very high, tres eleve, tres elevee, tres haut",
    ),
    _scale(
        "very low, tres faible, tres bas",
        "low, faible, bas",
        "medium, moderate, moyen, moyenne, modere, moderee",
        "high, eleve, elevee, haut",
        "very high, tres eleve, tres elevee, tres haut",
    ),
)

SCALES: dict[str, tuple[tuple[frozenset[str], ...], ...]] = {
    "likelihood": (
        *_GENERIC,
        # EBIOS RM and the tools that follow it (CISO Assistant's default matrix among them).
        _scale(
            "unlikely, peu vraisemblable, minimal, minime",
            "likely, vraisemblable, significant, significatif, significative",
            "very likely, highly likely, tres vraisemblable, strong, fort, forte",
            "certain, nearly certain, almost certain, quasi certain, presque certain, maximal",
        ),
        # ISO 31000 / NIST-style five-level likelihood.
        _scale(
            "rare, very rare, tres rare, exceptional, exceptionnel, very unlikely, tres improbable, improbable",
            "unlikely, peu probable, remote, unusual",
            "possible, occasional, occasionnel, occasionnelle, sometimes, parfois",
            "likely, probable, frequent, frequente",
            "almost certain, very likely, certain, quasi certain, presque certain, tres probable, expected",
        ),
    ),
    "severity": (
        *_GENERIC,
        # EBIOS RM gravity (G1–G4), as CISO Assistant and French registers name it.
        _scale(
            "minor, mineur, mineure",
            "significant, significatif, significative",
            "important, serious, grave, major, majeur, majeure",
            "critical, critique",
        ),
        # ISO 31000-style five-level impact.
        _scale(
            "negligible, insignificant, negligeable, insignifiant, insignifiante",
            "minor, mineur, mineure, limited, limite, limitee",
            "moderate, modere, moderee, medium, moyen, moyenne",
            "major, majeur, majeure, serious, grave, severe",
            "catastrophic, catastrophique, critical, critique, extreme, disastrous",
        ),
    ),
}

# Choice fields: other tools' words for each of Hazlog's codes. "" means "not decided yet": the cell is
# read as empty and the register's default applies (a treatment of "open" is a decision still to make).
CHOICE_SYNONYMS: dict[str, dict[str, str]] = {
    "treatment": {
        **dict.fromkeys(
            map(key, ("reduce", "reduction", "treat", "modify", "mitigation", "reduire", "attenuer", "traiter")),
            "mitigate",
        ),
        **dict.fromkeys(
            map(key, ("accepted", "retain", "tolerate", "accepter", "accepte", "acceptation", "conserver")), "accept"
        ),
        **dict.fromkeys(
            map(key, ("transferred", "share", "shared", "insure", "transferer", "partager", "transfert")), "transfer"
        ),
        **dict.fromkeys(
            map(key, ("avoided", "terminate", "eliminate", "refuse", "eviter", "refuser", "supprimer", "evitement")),
            "avoid",
        ),
        **dict.fromkeys(
            map(key, ("open", "undecided", "tbd", "to be decided", "pending", "ouvert", "a definir", "a traiter")), ""
        ),
    },
    "mitigation_status": {
        **dict.fromkeys(map(key, ("new", "open", "draft", "idea", "propose", "proposee")), "proposed"),
        **dict.fromkeys(
            map(key, ("todo", "to do", "scheduled", "prevu", "prevue", "planifie", "planifiee")), "planned"
        ),
        **dict.fromkeys(map(key, ("ongoing", "wip", "started", "active", "en cours")), "in_progress"),
        **dict.fromkeys(
            map(key, ("done", "in place", "existing", "deployed", "applied", "en place", "implemente", "fait")),
            "implemented",
        ),
        **dict.fromkeys(map(key, ("tested", "validated", "valide", "validee", "verifie", "verifiee")), "verified"),
        **dict.fromkeys(
            map(key, ("cancelled", "canceled", "dropped", "abandonne", "abandonnee", "annule")), "rejected"
        ),
    },
}
