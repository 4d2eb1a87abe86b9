"""How to read each kind of chart: one short text per chart type, shown beside the chart.

Pages show :data:`HOW_TO_READ` under a "How to read this chart" heading next to every chart of
that type, and the board report prints the same text. Add a chart type here, not on a page.
"""

from __future__ import annotations

HOW_TO_READ_TITLE = "How to read this chart"

HOW_TO_READ: dict[str, str] = {
    "dumbbell": (
        "Each row is one statement. The two markers are the average answer at each survey "
        "wave, on the 1 to 4 scale (1 = strongly disagree, 4 = agree strongly), joined by a "
        "grey line: the further right, the more staff agreed. The dashed line is the 2.5 "
        "midpoint between disagreeing and agreeing. A star marks a change that is "
        "statistically significant at the 95% level; the line under the title says whether "
        "that allows for testing many statements at once. Point at a marker to see n, the "
        "% agreeing and the p-value."
    ),
    "diverging": (
        "Each statement has one bar per survey wave, split into the four answers. Disagreeing "
        "answers run left of the centre line and agreeing answers right of it, so a bar that "
        "reaches further right means more staff agreed. The numbers inside the bars are the % "
        "giving that answer; the figure after each bar is the % agreeing (Agree or Agree "
        "strongly). Point at a segment to see how many answers it holds."
    ),
    "heatmap": (
        "Rows are statements and columns are job roles, with All roles first; under each "
        "role, n is how many answered at each wave. A cell's colour and number give the "
        "average answer (or, if chosen, its change): blue means more agreement, brown less, "
        "pale is near the 2.5 midpoint (or no change). Read down a column to see what one "
        "role agreed with most; read across a row to compare roles. Grey cells are not shown "
        "because too few people answered, or because showing them would let a small group's "
        "answers be worked out from the others."
    ),
}


def how_to_read(kind: str) -> str:
    """The reading help for a chart type (a key of :data:`HOW_TO_READ`)."""
    return HOW_TO_READ[kind]
