"""How to read the charts outside the survey pages: one short paragraph per chart type.

Same shape as :data:`rpgdash.present.reading.HOW_TO_READ` (chart kind -> plain-English
text); the pages show an entry in a "How to read this chart" expander beside the chart. The
text is the product's own (no stored text), so pages may show it as Markdown.
"""

from __future__ import annotations

HOW_TO_READ: dict[str, str] = {
    "xmr": (
        "Each marker is one month, joined by a grey line. The solid black line is the mean "
        "and the dashed lines are the process limits: the range that ordinary month-to-month "
        "variation stays within (dotted lines are trial limits, from fewer than 20 months, "
        "which may still move). Grey circles are common cause: nothing unusual. Blue diamonds "
        "(improvement), orange squares (concern) and purple triangles (neither) are special "
        "causes: a month outside the limits, seven in a row on one side of the mean, seven "
        "rising or falling, or two of three close to a limit. Where limits were recalculated "
        "from a month, a new mean and limits start there. Grey vertical lines mark events "
        "such as the RPG start; the green and wine lines, when shown, are the interrupted "
        "time series fitted before and after the change point."
    ),
    "level_scan": (
        "Each point is the jump in level that the interrupted time series finds when the "
        "change point is put at that month, with a grey bar for its 95% interval; the line "
        "across at 0 is no jump. The black diamond is the change point chosen above. A jump "
        "that appears only at one month, and not at the months around it, is fragile."
    ),
    "workforce": (
        "One small chart per measure, each with its own vertical scale, and a point per "
        "year. Read each chart for its direction over the years and compare measures by "
        "their change in points, not by the height of their lines, since the scales differ. "
        "Where regional or national figures are stored, they are grey lines with their own "
        "dash pattern beside the authority's coloured line."
    ),
    "benchmarks": (
        "The dark solid line is the authority. The shaded band spans its statistical "
        "neighbours (similar authorities chosen by DfE), from the lowest to the highest "
        "figure each year; the other lines, each with its own colour, dash and marker, are "
        "the neighbours' median, the region and England. A point below the band means the "
        "authority's figure was lower than every neighbour's that year."
    ),
    "model": (
        "Read the diagram left to right: the contexts (notes) made the mechanisms (ellipses) "
        "possible, and the mechanisms led to the outcomes (boxes), grouped by level. Each "
        "outcome box lists what the stored data say now. Arrows show the model the study "
        "described, not measured causes. Hover over a box to see its sources."
    ),
}
