"""The board pack's two-page summary, laid out from the overview panel.

Nothing is worded here: each outcome's status and sentence come from the overview panel's
cards (:meth:`rpgdash.present.overview.OverviewPanel.outcome_lines`), the response rates
from its wave cards, the caveats from :attr:`OverviewPanel.caveats`, and the Summary of
variation and assurance from the indicator panels. This module draws them as HTML, with an
icon beside each status's words.
"""

from __future__ import annotations

from rpgdash.present.overview import OutcomeLine, OverviewPanel, Status
from rpgdash.report import html as h

#: (anchor, title) of the summary section.
SUMMARY = ("summary", "Summary for the board")

# Our own icon SVG (no stored text); the words beside it carry the meaning.
_ICONS = {
    Status.IMPROVING: '<circle cx="8" cy="8" r="7" fill="#0b5394"/>'
    '<path d="M8 3.5 L12 8.5 H9.5 V12.5 H6.5 V8.5 H4 Z" fill="#fff"/>',
    Status.NO_CLEAR_CHANGE: '<circle cx="8" cy="8" r="7" fill="#595959"/>'
    '<rect x="4" y="7" width="8" height="2" fill="#fff"/>',
    Status.CONCERN: '<path d="M8 1 L15 14.5 H1 Z" fill="#8a3b00"/>'
    '<rect x="7.1" y="5" width="1.8" height="5" fill="#fff"/>'
    '<rect x="7.1" y="11" width="1.8" height="1.8" fill="#fff"/>',
    Status.NOT_ENOUGH_DATA: '<circle cx="8" cy="8" r="6.2" fill="none" stroke="#595959" '
    'stroke-width="1.6" stroke-dasharray="2 1.6"/>',
}


def status_icon(status: Status) -> str:
    """A 16 px inline SVG for ``status``, hidden from screen readers (the words follow it)."""
    return (
        '<svg class="status-icon" width="16" height="16" viewBox="0 0 16 16" '
        f'aria-hidden="true" focusable="false">{_ICONS[status]}</svg>'
    )


def outcome_table(lines: list[OutcomeLine]) -> str:
    """One group of outcomes (e.g. the indicators): name, status with icon, sentence."""
    rows = "".join(
        f'<tr><th scope="row">{h.esc(line.outcome)}</th>'
        f'<td class="status status-{h.slug(line.status.value)}">{status_icon(line.status)} '
        f"{h.esc(line.status.words)}</td><td>{h.esc(line.sentence)}</td></tr>"
        for line in lines
    )
    head = "".join(f'<th scope="col">{c}</th>' for c in ("Outcome", "Status", "What the data show"))
    group = h.esc(lines[0].group) if lines else ""
    return (
        f'<table class="outcomes"><caption>{group}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )


def _response_rates(panel: OverviewPanel) -> str:
    items = [card.sentence for card in panel.wave_cards]
    if panel.not_compared:
        items.append(panel.not_compared)
    return h.section(3, "Who answered the survey", h.bullet_list(items), anchor="summary-responses")


def summary_section(panel: OverviewPanel, mdc_summary: str) -> str:
    """Pages 1-2: a status per outcome, the variation and assurance table (``mdc_summary``,
    drawn from the indicator panels), response rates and the caveats that matter most."""
    waves = panel.waves
    span = f"{waves[0]} to {waves[-1]} for the survey and " if len(waves) >= 2 else ""
    intro = h.paragraph(
        f"Each outcome, {span}over the whole series for the indicators: improving, no clear "
        "change, concern (moving the wrong way), or not enough data to say. The appendix "
        "gives every figure and method."
    )
    tables = "".join(outcome_table(lines) for lines in panel.outcome_lines() if lines)
    caveats = h.section(3, "Read with care", h.bullet_list(panel.caveats), anchor="summary-caveats")
    inner = intro + tables + mdc_summary + _response_rates(panel) + caveats
    return h.section(2, SUMMARY[1], inner, anchor=SUMMARY[0])
