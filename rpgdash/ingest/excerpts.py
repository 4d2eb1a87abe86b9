"""Coded interview excerpts: one row per excerpt (wave, theme, polarity, excerpt, source).

``source`` is the source type (interview, focus group, survey comment, observation), optionally
followed by the speaker's job role: ``interview, Team manager``, ``focus group (Social
worker)`` or ``interview - Lead practitioner``; a separate ``role`` column may give the role
instead. Optional ``site`` column; otherwise the site chosen for the upload. Waves, sites and
roles must already be stored; a theme not stored yet for its wave is created when the file is
stored, with the file's polarity.
"""

from __future__ import annotations

import re

import pandas as pd

from rpgdash.db import Database
from rpgdash.ingest.checks import (
    Problems,
    cell,
    check_duplicate_headers,
    check_formulas,
    duplicates,
    header_index,
    name_map,
    refuse_look_alikes,
)
from rpgdash.ingest.model import ParsedUpload
from rpgdash.ingest.reading import RawTable
from rpgdash.ingest.values import close_matches, normalise_name, quote_cell

REQUIRED = ("wave", "theme", "polarity", "excerpt", "source")
OPTIONAL = ("role", "site")
POLARITIES = ("positive", "negative")
#: How people write a source type -> the stored type.
SOURCE_TYPES = {
    "interview": "interview",
    "interviews": "interview",
    "focus group": "focus group",
    "focus groups": "focus group",
    "survey comment": "survey comment",
    "open survey answer": "survey comment",
    "observation": "observation",
}
SOURCE_HELP = "interview, focus group, survey comment or observation"
#: Coded excerpts are short passages; longer cells are usually a whole transcript pasted in.
MAX_EXCERPT_CHARS = 1000
_SOURCE = re.compile(
    r"(?P<type>[^,;:(\-\u2013\u2014]+?)\s*(?:[,;:(\-\u2013\u2014]\s*(?P<role>.*?)\)?)?"
)


def read_source(text: str) -> tuple[str | None, str | None, str | None]:
    """One source cell -> (source type, role text or None, error sentence or None)."""
    m = _SOURCE.fullmatch(" ".join(text.split()))
    kind = SOURCE_TYPES.get(normalise_name(m["type"])) if m else None
    if kind is None:
        return (
            None,
            None,
            (
                f"the source {quote_cell(text)} does not start with a known source type; write "
                f"{SOURCE_HELP}, optionally followed by the job role (interview, Team manager)"
            ),
        )
    role = (m["role"] or "").strip() or None
    return kind, role, None


def parse_excerpts(raw: RawTable, db: Database, *, site: str | None = None) -> ParsedUpload:
    """Validate a coded-excerpts file; every problem names its line and column."""
    problems = Problems(raw.file_name)
    check_duplicate_headers(raw.header, problems)
    cols = header_index(raw.header)
    absent = [c for c in REQUIRED if c not in cols]
    if absent:
        problems.add(
            1,
            None,
            "the header must be wave, theme, polarity, excerpt, source (optionally role and "
            f"site); missing: {', '.join(absent)}. Found: "
            + ", ".join(f"'{h}'" for h in raw.header if h)
            + ".",
        )
        problems.raise_if_any()
    con = raw.con
    picked = {
        name: cell(f"c{cols[name]}") if name in cols else "NULL" for name in (*REQUIRED, *OPTIONAL)
    }
    con.execute(
        "CREATE TABLE cells AS SELECT _line, "
        + ", ".join(f"{sql} AS {name}_text" for name, sql in picked.items())
        + " FROM raw"
    )
    check_formulas(con, problems, [cols[c] for c in (*REQUIRED, *OPTIONAL) if c in cols])
    with db.cursor() as cur:
        sites = [
            r[0]
            for r in cur.execute(
                "SELECT name FROM sites WHERE kind = 'local_authority' ORDER BY name"
            ).fetchall()
        ]
        waves = [
            r[0] for r in cur.execute("SELECT label FROM waves ORDER BY wave_order").fetchall()
        ]
        roles = [r[0] for r in cur.execute("SELECT name FROM roles ORDER BY rank").fetchall()]
        themes = cur.execute(
            "SELECT w.label, t.name, t.polarity FROM themes t JOIN waves w USING (wave_id)"
        ).fetchall()
    _check_blanks(con, problems, cols)
    _check_texts(con, problems, cols)
    _map_sources(con, problems, cols)
    _map_names(con, problems, "wave", waves, cols["wave"])
    _map_names(con, problems, "role", roles, cols.get("role", cols["source"]), source="role_eff")
    _map_site(con, problems, cols, sites, site)
    problems.raise_if_any()
    _map_themes(con, themes)
    themed = con.execute(
        "SELECT theme_text, min(_line) FROM coded GROUP BY ALL ORDER BY 2"
    ).fetchall()
    refuse_look_alikes(
        problems,
        [(t, line, cols.get("theme")) for t, line in themed],
        [n for _, n, _ in themes],
        "theme",
    )
    con.execute(
        "CREATE TABLE clean AS SELECT c._line, s.name AS site, w.name AS wave, t.theme, "
        "lower(c.polarity_text) AS polarity, c.excerpt_text AS excerpt, c.source_type, "
        "r.name AS role FROM coded c "
        "JOIN site_map s ON s.text IS NOT DISTINCT FROM c.site_text "
        "JOIN wave_map w ON w.text = c.wave_text "
        "JOIN theme_map t ON t.wave = w.name AND t.text = c.theme_text "
        "LEFT JOIN role_map r ON r.text = c.role_eff"
    )
    _check_consistency(con, problems, themes)
    problems.raise_if_any()
    rows = con.sql(
        "SELECT _line AS line, site, wave, theme, polarity, excerpt, source_type, role "
        "FROM clean ORDER BY _line"
    ).to_arrow_table()
    return ParsedUpload.of(
        raw,
        "excerpts",
        "coded excerpts",
        rows,
        missing=0,
    )


def _check_blanks(con, problems: Problems, cols: dict[str, int]) -> None:
    for name in REQUIRED:
        problems.query(
            con,
            f"SELECT _line FROM cells WHERE {name}_text IS NULL",
            {},
            lambda r, name=name: (r["_line"], cols[name], f"the {name} is blank; fill it in."),
        )


def _check_texts(con, problems: Problems, cols: dict[str, int]) -> None:
    problems.query(
        con,
        "SELECT _line, polarity_text FROM cells WHERE polarity_text IS NOT NULL "
        "AND lower(polarity_text) NOT IN ('positive', 'negative')",
        {},
        lambda r: (
            r["_line"],
            cols["polarity"],
            f"the polarity {quote_cell(r['polarity_text'])} is not positive or negative; "
            "write one of those two words.",
        ),
    )
    problems.query(
        con,
        f"SELECT _line, length(excerpt_text) AS n FROM cells "
        f"WHERE length(excerpt_text) > {MAX_EXCERPT_CHARS}",
        {},
        lambda r: (
            r["_line"],
            cols["excerpt"],
            f"the excerpt is {r['n']} characters long; a coded excerpt is a short passage "
            f"(at most {MAX_EXCERPT_CHARS}), so shorten it or split it into several rows.",
        ),
    )


def _map_sources(con, problems: Problems, cols: dict[str, int]) -> None:
    """Create ``coded``: the cells with ``source_type`` and ``role_eff`` (role text or NULL)."""
    texts = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT source_text FROM cells WHERE source_text IS NOT NULL"
        ).fetchall()
    ]
    readings = {t: read_source(t) for t in texts}
    frame = pd.DataFrame(
        {
            "text": texts,
            "source_type": [readings[t][0] for t in texts],
            "source_role": [readings[t][1] for t in texts],
            "error": [readings[t][2] for t in texts],
        },
        dtype=object,
    )
    con.register("source_pairs", frame)
    con.execute(
        "CREATE TABLE source_map AS SELECT text::VARCHAR AS text, "
        "source_type::VARCHAR AS source_type, source_role::VARCHAR AS source_role, "
        "error::VARCHAR AS error FROM source_pairs"
    )
    con.unregister("source_pairs")
    problems.query(
        con,
        "SELECT c._line, m.error FROM cells c JOIN source_map m ON m.text = c.source_text "
        "WHERE m.error IS NOT NULL",
        {},
        lambda r: (r["_line"], cols["source"], r["error"] + "."),
    )
    problems.query(
        con,
        "SELECT c._line, c.role_text, m.source_role FROM cells c "
        "JOIN source_map m ON m.text = c.source_text WHERE c.role_text IS NOT NULL "
        "AND m.source_role IS NOT NULL AND lower(c.role_text) <> lower(m.source_role)",
        {},
        lambda r: (
            r["_line"],
            cols["source"],
            f"the source names the role {quote_cell(r['source_role'])} but the role column "
            f"says {quote_cell(r['role_text'])}; give the role once.",
        ),
    )
    con.execute(
        "CREATE TABLE coded AS SELECT c.*, m.source_type, "
        "coalesce(c.role_text, m.source_role) AS role_eff FROM cells c "
        "JOIN source_map m ON m.text = c.source_text WHERE m.error IS NULL"
    )


def _suggest(text: str, stored: list[str]) -> str:
    matches = close_matches(text, stored)
    if matches:
        return ". Did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"
    return "; the stored ones are " + ", ".join(f"'{s}'" for s in stored) + "." if stored else "."


def _map_names(
    con,
    problems: Problems,
    what: str,
    stored: list[str],
    column: int,
    *,
    source: str | None = None,
) -> None:
    """Create ``{what}_map(text, name)`` for a column of ``coded``; refuse names not stored."""
    source = source or f"{what}_text"
    names = name_map(con, source="coded", column=source, table=f"{what}_map", known=stored)
    for text, name in names.items():
        if name is None:
            problems.query(
                con,
                f"SELECT min(_line) AS _line, count(*) AS n FROM coded WHERE {source} = $t "
                "HAVING count(*) > 0",
                {"t": text},
                lambda r, text=text: (
                    r["_line"],
                    column,
                    f"the {what} {quote_cell(text)} is not stored"
                    + (f" (also on {r['n'] - 1} more lines)" if r["n"] > 1 else "")
                    + _suggest(text, stored),
                ),
            )


def _map_site(con, problems: Problems, cols: dict[str, int], sites: list[str], site) -> None:
    """Create ``site_map``; with no site column every row belongs to ``site``."""
    if "site" in cols:
        _map_names(con, problems, "site", sites, cols["site"])
        problems.query(
            con,
            "SELECT _line FROM coded WHERE site_text IS NULL",
            {},
            lambda r: (r["_line"], cols["site"], "the site is blank; fill it in."),
        )
        return
    by_key = {normalise_name(s): s for s in sites}
    name = by_key.get(normalise_name(site)) if site else None
    if name is None:
        message = (
            "the file has no site column and no site was chosen; choose the site the "
            "excerpts belong to (--site NAME)."
            if site is None
            else f"the site {quote_cell(site)} is not stored; excerpts can only be added to a "
            "site whose data are stored" + _suggest(site, sites)
        )
        problems.add(None, None, message)
    con.register("site_pairs", pd.DataFrame({"text": [None], "name": [name]}, dtype=object))
    con.execute(
        "CREATE TABLE site_map AS SELECT text::VARCHAR AS text, name::VARCHAR AS name "
        "FROM site_pairs"
    )
    con.unregister("site_pairs")


def _map_themes(con, stored: list[tuple[str, str, str]]) -> None:
    """Create ``theme_map(wave, text, theme)``: a stored theme's spelling where one matches."""
    by_key = {(w, normalise_name(n)): n for w, n, _ in stored}
    pairs = con.execute(
        "SELECT DISTINCT w.name, c.theme_text FROM coded c JOIN wave_map w ON w.text = c.wave_text"
    ).fetchall()
    rows = [
        (wave, text, by_key.get((wave, normalise_name(text)), " ".join(text.split())))
        for wave, text in pairs
    ]
    con.register("theme_pairs", pd.DataFrame(rows, columns=["wave", "text", "theme"], dtype=object))
    con.execute(
        "CREATE TABLE theme_map AS SELECT wave::VARCHAR AS wave, text::VARCHAR AS text, "
        "theme::VARCHAR AS theme FROM theme_pairs"
    )
    con.unregister("theme_pairs")


def _check_consistency(con, problems: Problems, stored: list[tuple[str, str, str]]) -> None:
    """One polarity per theme (in the file and against the stored theme); no repeated rows."""
    problems.query(
        con,
        "WITH first AS (SELECT wave, theme, arg_min(polarity, _line) AS polarity, "
        "min(_line) AS first_line FROM clean GROUP BY wave, theme) "
        "SELECT c._line, c.wave, c.theme, c.polarity, f.polarity AS first_polarity, "
        "f.first_line FROM clean c JOIN first f USING (wave, theme) "
        "WHERE c.polarity <> f.polarity",
        {},
        lambda r: (
            r["_line"],
            None,
            f"the theme {quote_cell(r['theme'])} at {r['wave']} is {r['first_polarity']} on "
            f"line {r['first_line']} but {r['polarity']} here; give each theme one polarity.",
        ),
    )
    con.register(
        "stored_themes",
        pd.DataFrame(stored, columns=["wave", "theme", "polarity"], dtype=object),
    )
    problems.query(
        con,
        "SELECT c._line, c.wave, c.theme, c.polarity, s.polarity AS stored FROM clean c "
        "JOIN stored_themes s ON s.wave = c.wave AND s.theme = c.theme "
        "WHERE s.polarity <> c.polarity",
        {},
        lambda r: (
            r["_line"],
            None,
            f"the theme {quote_cell(r['theme'])} at {r['wave']} is stored as "
            f"{r['stored']}, not {r['polarity']}; use the stored polarity or another theme name.",
        ),
    )
    con.unregister("stored_themes")
    problems.query(
        con,
        duplicates("clean", "site, wave, theme, excerpt"),
        {},
        lambda r: (
            r["_line"],
            None,
            f"this excerpt is given again for the theme {quote_cell(r['theme'])} (first on "
            f"line {r['first_line']}); keep one row per excerpt.",
        ),
    )
