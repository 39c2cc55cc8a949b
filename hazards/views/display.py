"""Display values of repeated rows (register rows, board cards), computed once per page in Python.

Django templates cost several microseconds per node, and a `{% url %}`, a variable or a simple tag per cell of
50 rows was most of the register's rendering time. Here each URL is reversed once per page and filled in per
row, each badge is built once per distinct rating, and a register row is one format_html call.
"""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hazards.templatetags.risk import rating_badge

# A number that appears in no URL prefix: reversed once, then replaced by each row's id.
_PLACEHOLDER = 987654321


class UrlFiller:
    """`urls("hazard_detail", pk)`: the same string as `reverse(name, args=[pk])`, reversed once per name."""

    def __init__(self) -> None:
        self._patterns: dict[str, tuple[str, str]] = {}

    def __call__(self, name: str, pk: int) -> str:
        pattern = self._patterns.get(name)
        if pattern is None:
            head, _, tail = reverse(name, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
            pattern = self._patterns[name] = (head, tail)
        return f"{pattern[0]}{pk}{pattern[1]}"


# A register row. Rendered as template nodes, the 50 rows' twenty-odd variables each were most of the
# fragment's time; as one format_html per row they cost a tenth of that. Every value is escaped.
ROW = (
    '<tr id="row-{pk}"{highlight}>'
    '<td class="ref"><a href="{detail_url}">{ref}</a></td>'
    '<td class="title"><a href="{detail_url}">{title}</a>{evidence}</td>'
    "<td>{category}</td><td>{inherent}</td><td>{residual}</td><td>{treatment}</td><td>{owner}</td>"
    '<td class="progress-cell">{progress}</td>'
    '<td class="row-actions">{actions}</td>'
    "</tr>"
)
STALE_EVIDENCE = mark_safe(
    ' <span class="status status-changes" title="Cited evaluation results are stale">stale evidence</span>'
)
EVIDENCE = mark_safe(' <span class="pill" title="Likelihood backed by evaluation results">evidence</span>')
NO_MITIGATIONS = mark_safe('<span class="muted small">none</span>')
PROGRESS = (
    '<progress value="{done}" max="{total}" aria-label="{done} of {total} mitigations implemented">'
    '{done}/{total}</progress> <span class="small">{done}/{total}</span>'
)
EDIT = (
    '<a class="button secondary small" href="{edit_url}" hx-get="{row_edit_url}" hx-target="#row-{pk}"'
    ' hx-swap="outerHTML" aria-label="Edit {ref} inline">Edit</a>'
)


def register_rows(rows, levels_by_key: dict, *, can_edit: bool, highlight: int | None = None) -> list:
    """Give each scenario of the register its row's HTML (`row_html`), escaped like the template would."""
    urls = UrlFiller()
    badges: dict[tuple, str] = {}

    def badge(s, stage: str) -> str:
        key = (
            stage,
            getattr(s, f"{stage}_level"),
            getattr(s, f"{stage}_likelihood"),
            getattr(s, f"{stage}_severity"),
        )
        html = badges.get(key)
        if html is None:
            html = badges[key] = rating_badge(levels_by_key, s, stage)
        return html

    for s in rows:
        total = getattr(s, "mitigation_count", 0)
        if getattr(s, "stale_evidence", 0):
            evidence = STALE_EVIDENCE
        elif getattr(s, "evidence_count", 0):
            evidence = EVIDENCE
        else:
            evidence = ""
        s.row_html = format_html(
            ROW,
            pk=s.pk,
            highlight=mark_safe(' class="highlight"') if highlight == s.pk else "",
            detail_url=urls("hazard_detail", s.pk),
            ref=s.ref,
            title=s.title,
            evidence=evidence,
            category=s.get_category_display(),
            inherent=badge(s, "inherent"),
            residual=badge(s, "residual"),
            treatment=s.get_treatment_display(),
            owner=s.owner.get_username() if s.owner_id else "—",
            progress=format_html(PROGRESS, done=s.done_mitigations, total=total) if total else NO_MITIGATIONS,
            actions=format_html(
                EDIT,
                edit_url=urls("hazard_edit", s.pk),
                row_edit_url=urls("hazard_row_edit", s.pk),
                pk=s.pk,
                ref=s.ref,
            )
            if can_edit
            else "",
        )
    return rows


def board_cards(columns: dict[str, list], status_choices) -> None:
    """Give each mitigation of the board the strings its card prints; its status <option>s are built once
    per status rather than once per card."""
    urls = UrlFiller()
    options = {
        current: format_html(
            "".join(
                '<option value="{}" selected>{}</option>' if value == current else '<option value="{}">{}</option>'
                for value, _ in status_choices
            ),
            *[part for choice in status_choices for part in choice],
        )
        for current, _ in status_choices
    }
    for cards in columns.values():
        for m in cards:
            m.detail_url = urls("mitigation_detail", m.pk)
            m.status_url = urls("mitigation_status", m.pk)
            m.status_options = options[m.status]
            m.owner_name = m.owner.get_username() if m.owner_id else "no owner"
            m.scenario_links = [(urls("hazard_detail", s.pk), s.ref) for s in m.scenarios.all()]
