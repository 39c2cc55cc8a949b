"""Display values of repeated rows (register rows, board cards), computed once per page in Python.

Django templates cost several microseconds per node, and a `{% url %}` or a simple tag per cell of 50 rows
was most of the register's rendering time. Here each URL is reversed once per page and filled in per row,
and each badge is built once per distinct rating, so the row templates only print prepared strings.
"""

from django.urls import reverse
from django.utils.html import format_html

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


def register_rows(rows, levels_by_key: dict, urls: UrlFiller | None = None) -> list:
    """Give each scenario of the register the strings its row prints (urls, badges, labels)."""
    urls = urls or UrlFiller()
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
        s.detail_url = urls("hazard_detail", s.pk)
        s.edit_url = urls("hazard_edit", s.pk)
        s.row_edit_url = urls("hazard_row_edit", s.pk)
        s.inherent_badge = badge(s, "inherent")
        s.residual_badge = badge(s, "residual")
        s.category_label = s.get_category_display()
        s.treatment_label = s.get_treatment_display()
        s.owner_name = s.owner.get_username() if s.owner_id else "—"
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
