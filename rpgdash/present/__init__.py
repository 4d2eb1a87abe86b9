"""The findings layer: every number, sentence and table a user reads, built once.

Data flows ``queries/api -> stats -> present -> charts -> pages and report``. Nothing here
imports Streamlit. The modules:

- :mod:`rpgdash.present.format`: one formatter for every number a reader sees (p-values,
  percentages, months, counts, intervals, changes, dates and timestamps).
- :mod:`rpgdash.present.domains`: the registry of survey domains (key, title, intro, words),
  read by the router, the pages, the report and the tests.
- :mod:`rpgdash.present.panels`: typed panels (frozen dataclasses) for the overview headlines,
  each survey domain, each indicator, workforce, and their builders. A panel carries its
  sentences, caveats, display tables (already formatted, with human column headers) and what
  its charts need. ``rpgdash.ui`` caches panels, pages draw them, and the board report
  renders the same panels as HTML, so a page and the report cannot word a finding apart.
"""
