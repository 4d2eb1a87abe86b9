"""Previewing, storing and reverting uploads: the only module here that writes.

Every write happens inside one :meth:`Database.transaction`, so an upload is stored completely
or not at all, even if the process is killed half way. What the preview counted is computed
again inside the transaction, so two sessions storing at the same moment cannot lose data.

Reverting is exact: rows an upload added carry its ``upload_id`` and are deleted; for every
stored value it changed, ``upload_changes`` keeps the value (and upload) it replaced, which is
put back. An upload whose values a later, still stored upload changed again cannot be reverted
until that later upload is reverted (the refusal names it). A survey upload cannot replace
answers already stored (the refusal names the upload that stored them), so reverting it just
removes its respondents and their answers.

``indicator_values`` and ``workforce`` hold one row per key (see ``rpgdash/db.py``; no index
enforces it for ``indicator_values``, so this module does): a file never repeats a key (its
parser refuses that), and storing it, in one transaction under the write lock, updates the
stored rows whose key it has and inserts only keys not stored, so no key is stored twice.
Rows go from the file's Arrow table to the tables in set-based SQL; only the problems listed
(at most ``MAX_LISTED``) and the preview's first rows are fetched into Python.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from rpgdash.db import DIRECTIONS, Database
from rpgdash.ingest.errors import (
    MAX_LISTED,
    ConflictError,
    IngestError,
    InvalidContent,
    Problem,
    RevertRefused,
)
from rpgdash.ingest.model import ParsedUpload
from rpgdash.ingest.values import close_matches

Progress = Callable[[float, str], None]

#: Rows of changed values and rows to add shown in a preview (the counts are always complete).
PREVIEW_ROWS = 500


@dataclass
class Preview:
    """What storing ``parsed`` would do, computed against the database as it is now."""

    parsed: ParsedUpload
    added: int
    changed: int
    unchanged: int
    already_stored: int | None
    to_add: pd.DataFrame
    changes: pd.DataFrame
    coverage: pd.DataFrame
    unknown_indicators: dict[str, list[str]] = field(default_factory=dict)
    new_waves: list[str] = field(default_factory=list)
    new_themes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return self.parsed.missing

    @property
    def nothing_to_store(self) -> bool:
        return self.already_stored is not None or (self.added == 0 and self.changed == 0)

    def summary(self) -> str:
        """One line: what storing would do (or did)."""
        if self.already_stored is not None:
            return (
                f"{self.parsed.file_name} is already stored as upload {self.already_stored}; "
                "nothing changed."
            )
        return _count_line(self.added, self.changed, self.unchanged, self.missing)


@dataclass(frozen=True)
class CommitResult:
    upload_id: int | None
    added: int
    changed: int
    unchanged: int
    missing: int
    message: str


def _count_line(added: int, changed: int, unchanged: int, missing: int) -> str:
    return f"added {added}, changed {changed}, unchanged {unchanged}, missing {missing}"


# --- preview ------------------------------------------------------------------------------


def preview(db: Database, parsed: ParsedUpload) -> Preview:
    """Compare ``parsed`` with what is stored; write nothing."""
    with db.cursor() as cur, _incoming(cur, parsed):
        if parsed.kind == "survey":
            result = _preview_survey(cur, parsed)
        elif parsed.kind == "excerpts":
            result = _preview_excerpts(cur, parsed)
        else:
            result = _preview_values(cur, parsed)
        # The same file bytes are "already stored" only when they would change nothing: the
        # same workbook with another sheet, or the same file for another site, is new data.
        if result.added == 0 and result.changed == 0:
            result.already_stored = _already_stored(cur, parsed)
        return result


@contextlib.contextmanager
def _incoming(cur, parsed: ParsedUpload):
    """Register the file's rows as ``incoming`` for the cursor's queries.

    An indicator file's rows are also registered by code, as ``incoming_codes`` (line, ind,
    site, month, value) with ``incoming_names`` and ``incoming_sites`` (code, name): joining
    a million rows on small integers costs less than on their names.
    """
    names = []
    cur.register("incoming", parsed.rows)
    try:
        if parsed.kind == "indicators":
            ind, ind_names = _codes(parsed.rows.column("indicator"))
            site, site_names = _codes(parsed.rows.column("site"))
            rows = parsed.rows
            tables = {
                "incoming_codes": pa.table(
                    {
                        "line": rows.column("line"),
                        "ind": ind,
                        "site": site,
                        "month": rows.column("month"),
                        "value": rows.column("value"),
                    }
                ),
                "incoming_names": _code_table(ind_names),
                "incoming_sites": _code_table(site_names),
            }
            for name, table in tables.items():
                cur.register(name, table)
                names.append(name)
        yield
    finally:
        for name in ["incoming", *names]:
            cur.unregister(name)


def _codes(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.Array]:
    """A text column as codes (int32) into one array of names."""
    if not pa.types.is_dictionary(column.type):
        column = pc.dictionary_encode(column)
    if column.num_chunks == 0:
        return pa.chunked_array([], pa.int32()), pa.array([], pa.string())
    first = column.chunk(0).dictionary
    if any(not c.dictionary.equals(first) for c in column.chunks[1:]):
        column = column.unify_dictionaries()
        first = column.chunk(0).dictionary
    codes = pa.chunked_array([c.indices.cast(pa.int32()) for c in column.chunks], pa.int32())
    return codes, first.cast(pa.string())


def _code_table(names: pa.Array) -> pa.Table:
    return pa.table({"code": pa.array(range(len(names)), pa.int32()), "name": names})


def _already_stored(cur: duckdb.DuckDBPyConnection, parsed: ParsedUpload) -> int | None:
    row = cur.execute(
        "SELECT min(upload_id) FROM uploads WHERE sha256 = ? AND kind = ? AND status = 'stored'",
        [parsed.sha256, parsed.kind],
    ).fetchall()[0]
    return row[0]


#: SQL fragments per kind of value table. Identifiers only; every value is bound.
_VALUE_SQL = {
    "indicators": {
        "join": (
            "LEFT JOIN indicators i ON i.name = p.indicator "
            "LEFT JOIN sites s ON s.name = p.site "
            "LEFT JOIN indicator_values v ON v.indicator_id = i.indicator_id "
            "AND v.site_id = s.site_id AND v.month = p.month"
        ),
        "show": "p.line, p.indicator, p.site, strftime(p.month, '%Y-%m') AS month",
        "series": "p.indicator, p.site",
        "period": "p.month",
        "coverage": (
            "indicator, site, strftime(first, '%Y-%m') AS first_month, "
            "strftime(last, '%Y-%m') AS last_month, n AS months"
        ),
    },
    "workforce": {
        "join": (
            "LEFT JOIN sites s ON s.name = p.site "
            "LEFT JOIN workforce v ON v.site_id = s.site_id AND v.year = p.year "
            "AND v.measure = p.measure"
        ),
        "show": "p.line, p.site, p.year, p.measure",
        "series": "p.measure, p.site",
        "period": "p.year",
        "coverage": "measure, site, first AS first_year, last AS last_year, n AS years",
    },
}


def _preview_values(cur, parsed: ParsedUpload) -> Preview:
    sql = _VALUE_SQL[parsed.kind]
    if _may_meet_stored(cur, parsed):
        join, compare = (
            sql["join"],
            "count(*) FILTER (WHERE v.value IS NULL) AS _added, "
            "count(*) FILTER (WHERE v.value <> p.value) AS _changed, "
            "count(*) FILTER (WHERE v.value = p.value) AS _unchanged",
        )
    else:  # every row is new
        join, compare = "", "count(*) AS _added, 0 AS _changed, 0 AS _unchanged"
    # One pass: coverage and counts per series (few rows), summed here.
    per_series = (
        f"SELECT {sql['series']}, min({sql['period']}) AS first, max({sql['period']}) AS last, "
        f"count(*) AS n, {compare} FROM incoming p {join} GROUP BY ALL"
    )
    if parsed.kind == "indicators" and not join:  # by code, then named
        per_series = (
            "SELECT n.name AS indicator, s.name AS site, g.* EXCLUDE (ind, site) FROM "
            f"(SELECT ind, site, min(month) AS first, max(month) AS last, count(*) AS n, {compare} "
            "FROM incoming_codes GROUP BY ALL) g JOIN incoming_names n ON n.code = g.ind "
            "JOIN incoming_sites s ON s.code = g.site"
        )
    per_series = cur.execute(
        f"WITH g AS ({per_series}) "
        f"SELECT {sql['coverage']}, _added, _changed, _unchanged FROM g ORDER BY 1, 2"
    ).df()
    added, changed, unchanged = (
        int(per_series[c].sum()) for c in ("_added", "_changed", "_unchanged")
    )
    coverage = per_series.drop(columns=["_added", "_changed", "_unchanged"])
    # The first rows of each kind (a query that finds none when the count says so).
    changes = cur.execute(
        f"SELECT {sql['show']}, v.value AS stored_value, p.value AS new_value "
        f"FROM incoming p {sql['join']} WHERE v.value <> p.value AND {_any(changed)} "
        f"ORDER BY p.line LIMIT {PREVIEW_ROWS}"
    ).df()
    # When every row is new, the first rows need no comparison with stored ones (and are
    # picked before their columns are formatted).
    if added == parsed.n_rows:
        source = f"(SELECT * FROM incoming ORDER BY line LIMIT {PREVIEW_ROWS}) p WHERE TRUE"
    else:
        source = f"incoming p {sql['join']} WHERE v.value IS NULL AND {_any(added)}"
    to_add = cur.execute(
        f"SELECT {sql['show']}, p.value FROM {source} ORDER BY p.line LIMIT {PREVIEW_ROWS}"
    ).df()
    unknown: dict[str, list[str]] = {}
    if parsed.kind == "indicators":
        stored = [r[0] for r in cur.execute("SELECT name FROM indicators").fetchall()]
        for name in sorted(set(parsed.distinct("indicator")) - set(stored)):
            unknown[name] = close_matches(name, stored)
    return Preview(parsed, added, changed, unchanged, None, to_add, changes, coverage, unknown)


#: Per kind: the file's name column whose stored series are compared, and SQL telling
#: whether a stored row belongs to one of the file's series ($names at one of its $sites).
_SAME_SERIES = {
    "indicators": (
        "indicator",
        "SELECT EXISTS (SELECT 1 FROM indicator_values WHERE indicator_id IN "
        "(SELECT indicator_id FROM indicators WHERE name IN (SELECT unnest($names))) "
        "AND site_id IN (SELECT site_id FROM sites WHERE name IN (SELECT unnest($sites))))",
    ),
    "workforce": (
        "measure",
        "SELECT EXISTS (SELECT 1 FROM workforce WHERE measure IN (SELECT unnest($names)) "
        "AND site_id IN (SELECT site_id FROM sites WHERE name IN (SELECT unnest($sites))))",
    ),
}


def _may_meet_stored(cur, parsed: ParsedUpload) -> bool:
    """False when no stored row is in a series (indicator or measure, and site) of the file:
    then every row of the file is new, and no row needs comparing with stored ones."""
    column, sql = _SAME_SERIES[parsed.kind]
    names, sites = parsed.distinct(column), parsed.distinct("site")
    return cur.execute(sql, {"names": names, "sites": sites}).fetchall()[0][0]


def _any(count: int) -> str:
    return "TRUE" if count else "FALSE"


_SURVEY_STORED = """
    WITH file_resp AS (
        SELECT site, wave, respondent, any_value(role) AS role, count(score) AS answers
        FROM incoming GROUP BY site, wave, respondent
    ), stored AS (
        SELECT f.*, r.respondent_id, ro.name AS stored_role, r.upload_id AS stored_upload
        FROM file_resp f
        JOIN sites s ON s.name = f.site
        JOIN waves w ON w.label = f.wave
        JOIN respondents r ON r.site_id = s.site_id AND r.wave_id = w.wave_id
            AND r.external_id = f.respondent
        JOIN roles ro ON ro.role_id = r.role_id
    ), differs AS (
        SELECT st.respondent_id FROM stored st WHERE st.stored_role <> st.role
        UNION
        SELECT st.respondent_id FROM stored st
        JOIN incoming i ON i.site = st.site AND i.wave = st.wave AND i.respondent = st.respondent
        LEFT JOIN responses x ON x.respondent_id = st.respondent_id
            AND x.statement_id = i.statement_id
        WHERE i.score IS NOT NULL AND x.score IS DISTINCT FROM i.score
        UNION
        SELECT st.respondent_id FROM stored st
        JOIN responses x ON x.respondent_id = st.respondent_id AND x.score IS NOT NULL
        LEFT JOIN incoming i ON i.site = st.site AND i.wave = st.wave
            AND i.respondent = st.respondent AND i.statement_id = x.statement_id
        WHERE i.score IS NULL
    )
"""


def _survey_counts(cur) -> tuple[int, int, int]:
    """(answers added, answers of stored respondents that differ, answers unchanged)."""
    return cur.execute(
        _SURVEY_STORED
        + """
        SELECT coalesce(sum(f.answers) FILTER (WHERE st.respondent_id IS NULL), 0),
               coalesce(sum(f.answers) FILTER (WHERE d.respondent_id IS NOT NULL), 0),
               coalesce(sum(f.answers) FILTER (WHERE st.respondent_id IS NOT NULL
                                               AND d.respondent_id IS NULL), 0)
        FROM file_resp f
        LEFT JOIN stored st USING (site, wave, respondent)
        LEFT JOIN differs d ON d.respondent_id = st.respondent_id
        """
    ).fetchall()[0]


def _survey_conflicts(cur) -> pd.DataFrame:
    return cur.execute(
        _SURVEY_STORED
        + """
        SELECT min(i.line) AS line, st.site, st.wave, st.respondent, st.stored_upload,
               u.file_name AS stored_file
        FROM stored st JOIN differs d USING (respondent_id)
        JOIN incoming i ON i.site = st.site AND i.wave = st.wave AND i.respondent = st.respondent
        LEFT JOIN uploads u ON u.upload_id = st.stored_upload
        GROUP BY ALL ORDER BY line
        """
    ).df()


def _preview_survey(cur, parsed: ParsedUpload) -> Preview:
    added, changed, unchanged = (int(x) for x in _survey_counts(cur))
    conflicts = _survey_conflicts(cur)
    to_add = cur.execute(
        """
        SELECT i.site, i.wave, i.role, count(DISTINCT i.respondent) AS respondents,
               count(i.score) AS answers
        FROM incoming i
        LEFT JOIN sites s ON s.name = i.site LEFT JOIN waves w ON w.label = i.wave
        LEFT JOIN respondents r ON r.site_id = s.site_id AND r.wave_id = w.wave_id
            AND r.external_id = i.respondent
        WHERE r.respondent_id IS NULL GROUP BY ALL ORDER BY ALL
        """
    ).df()
    coverage = cur.execute(
        "SELECT site, wave, count(DISTINCT respondent) AS respondents, "
        "count(DISTINCT statement_id) AS statements, count(score) AS answers "
        "FROM incoming GROUP BY site, wave ORDER BY site, wave"
    ).df()
    stored_waves = {r[0] for r in cur.execute("SELECT label FROM waves").fetchall()}
    new_waves = sorted(w for w in parsed.waves if w not in stored_waves)
    return Preview(
        parsed, added, changed, unchanged, None, to_add, conflicts, coverage, new_waves=new_waves
    )


#: Incoming excerpts matched to what is stored (stored theme and excerpt ids, when found).
_EXCERPTS_MATCHED = """
    SELECT i.*, t.theme_id, e.excerpt_id
    FROM incoming i
    JOIN sites s ON s.name = i.site
    JOIN waves w ON w.label = i.wave
    LEFT JOIN themes t ON t.wave_id = w.wave_id AND t.name = i.theme
    LEFT JOIN excerpts e ON e.theme_id = t.theme_id AND e.site_id = s.site_id
        AND e.text = i.excerpt
"""


def _excerpt_counts(cur) -> tuple[int, int]:
    """(excerpts to add, excerpts already stored)."""
    added, unchanged = cur.execute(
        f"SELECT count(*) FILTER (WHERE excerpt_id IS NULL), "
        f"count(*) FILTER (WHERE excerpt_id IS NOT NULL) FROM ({_EXCERPTS_MATCHED})"
    ).fetchall()[0]
    return int(added), int(unchanged)


def _preview_excerpts(cur, parsed: ParsedUpload) -> Preview:
    added, unchanged = _excerpt_counts(cur)
    to_add = cur.execute(
        f"SELECT line, wave, theme, polarity, source_type, role, excerpt "
        f"FROM ({_EXCERPTS_MATCHED}) WHERE excerpt_id IS NULL ORDER BY line "
        f"LIMIT {PREVIEW_ROWS}"
    ).df()
    coverage = cur.execute(
        "SELECT site, wave, theme, polarity, count(*) AS excerpts FROM incoming "
        "GROUP BY ALL ORDER BY site, wave, min(line)"
    ).df()
    new_themes = [
        f"{theme} ({wave}, {polarity})"
        for wave, theme, polarity in cur.execute(
            f"SELECT wave, theme, any_value(polarity) FROM ({_EXCERPTS_MATCHED}) "
            "WHERE theme_id IS NULL GROUP BY wave, theme ORDER BY min(line)"
        ).fetchall()
    ]
    changes = pd.DataFrame(columns=["line", "wave", "theme", "excerpt"])
    return Preview(
        parsed,
        added,
        0,
        unchanged,
        None,
        to_add,
        changes,
        coverage,
        new_themes=new_themes,
    )


def _commit_excerpts(cur, parsed: ParsedUpload, user, progress) -> CommitResult:
    added, unchanged = _excerpt_counts(cur)
    if added == 0:
        raise _NothingToStore(unchanged)
    upload_id = _insert_upload(cur, parsed, user)
    progress(0.8, "Storing: themes")
    created = cur.execute(
        """
        INSERT INTO themes (wave_id, name, polarity, position, upload_id)
        SELECT w.wave_id, f.theme, f.polarity,
               (SELECT coalesce(max(position), 0) FROM themes)
                   + row_number() OVER (ORDER BY f.first_line), $u
        FROM (SELECT wave, theme, arg_min(polarity, line) AS polarity, min(line) AS first_line
              FROM incoming GROUP BY wave, theme) f
        JOIN waves w ON w.label = f.wave
        LEFT JOIN themes t ON t.wave_id = w.wave_id AND t.name = f.theme
        WHERE t.theme_id IS NULL
        ORDER BY f.first_line
        """,
        {"u": upload_id},
    ).fetchall()[0][0]
    progress(0.9, "Storing: excerpts")
    cur.execute(
        """
        INSERT INTO excerpts (theme_id, site_id, source_type, role_id, text, illustrative,
                              upload_id)
        SELECT t.theme_id, s.site_id, i.source_type, ro.role_id, i.excerpt, FALSE, $u
        FROM incoming i
        JOIN sites s ON s.name = i.site
        JOIN waves w ON w.label = i.wave
        JOIN themes t ON t.wave_id = w.wave_id AND t.name = i.theme
        LEFT JOIN roles ro ON ro.name = i.role
        LEFT JOIN excerpts e ON e.theme_id = t.theme_id AND e.site_id = s.site_id
            AND e.text = i.excerpt
        WHERE e.excerpt_id IS NULL
        ORDER BY i.line
        """,
        {"u": upload_id},
    )
    return _record_counts(
        cur,
        parsed,
        upload_id,
        added,
        0,
        unchanged,
        f"Stored as upload {upload_id}: {added} excerpts added ({created} new themes), "
        f"{unchanged} already stored.",
    )


# --- commit -------------------------------------------------------------------------------


def commit(
    db: Database,
    preview: Preview,
    *,
    user: str | None = None,
    replace: bool = False,
    new_indicators: Mapping[str, tuple[str, str]] | None = None,
    progress: Progress | None = None,
) -> CommitResult:
    """Store the previewed upload in one transaction and return what was done.

    ``new_indicators`` gives (unit, direction) for each indicator not stored yet. Without
    ``replace``, a file that would change stored values raises :class:`ConflictError`.
    """
    parsed = preview.parsed
    progress = progress or (lambda f, m: None)
    _check_new_indicators(parsed, preview, new_indicators or {})
    progress(0.7, "Storing")
    try:
        with db.transaction() as cur, _incoming(cur, parsed):
            if parsed.kind == "survey":
                result = _commit_survey(cur, parsed, user, progress)
            elif parsed.kind == "excerpts":
                result = _commit_excerpts(cur, parsed, user, progress)
            else:
                result = _commit_values(cur, parsed, user, replace, new_indicators or {}, progress)
    except _NothingToStore as nothing:
        with db.cursor() as cur:
            already = _already_stored(cur, parsed)
        message = (
            f"{parsed.file_name} is already stored as upload {already}; nothing changed."
            if already is not None
            else f"Nothing changed: every value in {parsed.file_name} is already stored."
        )
        return CommitResult(None, 0, 0, nothing.unchanged, parsed.missing, message)
    progress(1.0, "Stored")
    return result


def _check_new_indicators(parsed, preview, given: Mapping[str, tuple[str, str]]) -> None:
    problems = []
    for name in preview.unknown_indicators:
        unit, direction = given.get(name, ("", ""))
        if not unit or direction not in DIRECTIONS:
            hint = ""
            if preview.unknown_indicators[name]:
                hint = (
                    " (or correct the name: stored indicators include "
                    + ", ".join(f"'{m}'" for m in preview.unknown_indicators[name])
                    + ")"
                )
            problems.append(
                Problem(
                    parsed.file_name,
                    None,
                    None,
                    f"the indicator '{name}' is not stored yet; give its unit and improvement "
                    f"direction (increase, decrease or neutral) to create it{hint}.",
                )
            )
    if problems:
        raise InvalidContent(problems)


def _insert_upload(cur, parsed: ParsedUpload, user: str | None) -> int:
    return cur.execute(
        "INSERT INTO uploads (uploaded_by, kind, file_name, sha256, encoding, rows_missing) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING upload_id",
        [user, parsed.kind, parsed.file_name, parsed.sha256, parsed.encoding, parsed.missing],
    ).fetchall()[0][0]


def _create_sites(cur, parsed: ParsedUpload, upload_id: int) -> None:
    for name, kind in parsed.new_sites.items():
        if cur.execute("SELECT site_id FROM sites WHERE name = ?", [name]).fetchall():
            continue
        site_id = cur.execute(
            "INSERT INTO sites (name, kind) VALUES (?, ?) RETURNING site_id", [name, kind]
        ).fetchall()[0][0]
        _record_created(cur, upload_id, "sites", site_id)


def _record_created(cur, upload_id: int, table: str, key_id: int, site_id=None) -> None:
    cur.execute(
        "INSERT INTO upload_created (upload_id, table_name, key_id, site_id) VALUES (?, ?, ?, ?)",
        [upload_id, table, key_id, site_id],
    )


def _create_indicators(
    cur, parsed: ParsedUpload, upload_id: int, given: Mapping[str, tuple[str, str]]
) -> None:
    """Create the file's indicators that are not stored, with the unit and direction given."""
    stored = {r[0] for r in cur.execute("SELECT name FROM indicators").fetchall()}
    names = [n for n in parsed.distinct("indicator") if n not in stored]
    if not names:
        return
    frame = pd.DataFrame(
        {
            "name": names,
            "unit": [given[n][0] for n in names],
            "direction": [given[n][1] for n in names],
        }
    )
    cur.register("new_indicators", frame)
    try:
        cur.execute(
            "INSERT INTO indicators (name, unit, direction) "
            "SELECT name, unit, direction FROM new_indicators ORDER BY name"
        )
        cur.execute(
            "INSERT INTO upload_created (upload_id, table_name, key_id) "
            "SELECT $u, 'indicators', i.indicator_id FROM indicators i "
            "JOIN new_indicators n ON n.name = i.name",
            {"u": upload_id},
        )
    finally:
        cur.unregister("new_indicators")


_TABLE = {"indicators": "indicator_values", "workforce": "workforce"}
#: A stored row ``t`` and the ``upload_changes`` row ``c`` that recorded its old value.
_KEY_MATCH = {
    "indicators": "t.indicator_id = c.key_id AND t.site_id = c.site_id AND t.month = c.key_date",
    "workforce": "t.site_id = c.site_id AND t.year = c.key_year AND t.measure = c.key_measure",
}
#: The file's rows with the ids of their key (every name is stored by then); an indicator
#: file's from its codes (see ``_incoming``).
_KEYED = {
    "indicators": (
        "SELECT p.line, i.indicator_id AS key_id, s.site_id, p.month AS key_date, "
        "NULL::INTEGER AS key_year, NULL::VARCHAR AS key_measure, p.value FROM incoming_codes p "
        "JOIN (SELECT n.code, x.indicator_id FROM incoming_names n "
        "JOIN indicators x ON x.name = n.name) i ON i.code = p.ind "
        "JOIN (SELECT n.code, x.site_id FROM incoming_sites n "
        "JOIN sites x ON x.name = n.name) s ON s.code = p.site"
    ),
    "workforce": (
        "SELECT p.line, NULL::INTEGER AS key_id, s.site_id, NULL::DATE AS key_date, "
        "p.year AS key_year, p.measure AS key_measure, p.value FROM incoming p "
        "JOIN sites s ON s.name = p.site"
    ),
}
#: A stored row ``v`` with the key of a keyed file row ``k``.
_STORED_MATCH = {
    "indicators": "v.indicator_id = k.key_id AND v.site_id = k.site_id AND v.month = k.key_date",
    "workforce": "v.site_id = k.site_id AND v.year = k.key_year AND v.measure = k.key_measure",
}
_INSERT = {
    "indicators": "INSERT INTO indicator_values (indicator_id, site_id, month, value, upload_id) "
    "SELECT k.key_id, k.site_id, k.key_date, k.value, $u",
    "workforce": "INSERT INTO workforce (site_id, year, measure, value, upload_id) "
    "SELECT k.site_id, k.key_year, k.key_measure, k.value, $u",
}


def _commit_values(cur, parsed, user, replace, new_indicators, progress) -> CommitResult:
    progress(0.75, "Storing: comparing with stored values")
    upload_id = _insert_upload(cur, parsed, user)
    _create_sites(cur, parsed, upload_id)
    if parsed.kind == "indicators":
        _create_indicators(cur, parsed, upload_id, new_indicators)
    kind, table = parsed.kind, _TABLE[parsed.kind]
    keyed, match = f"({_KEYED[kind]}) k", _STORED_MATCH[kind]
    if not _may_meet_stored(cur, parsed):
        return _insert_new(cur, parsed, upload_id, progress)
    found, stored, changed = cur.execute(
        "SELECT count(*), count(v.value), count(*) FILTER (WHERE v.value <> k.value) "
        f"FROM {keyed} LEFT JOIN {table} v ON {match}"
    ).fetchall()[0]
    if found != parsed.n_rows:
        raise _names_gone(parsed)
    added, unchanged = found - stored, stored - changed
    if changed and not replace:
        raise _conflicts(cur, parsed, changed)
    if added == 0 and changed == 0:
        raise _NothingToStore(unchanged)
    params = {"u": upload_id, "t": table}
    if changed:
        progress(0.8, "Storing: recording replaced values")
        cur.execute(
            "INSERT INTO upload_changes (upload_id, table_name, site_id, key_id, key_date, "
            "key_year, key_measure, old_value, old_upload_id, new_value) "
            "SELECT $u, $t, k.site_id, k.key_id, k.key_date, k.key_year, k.key_measure, "
            f"v.value, v.upload_id, k.value FROM {keyed} JOIN {table} v ON {match} "
            "WHERE v.value <> k.value",
            params,
        )
        progress(0.85, "Storing: changing values")
        updated = cur.execute(
            f"UPDATE {table} v SET value = k.value, upload_id = $u FROM {keyed} "
            f"WHERE {match} AND v.value <> k.value",
            {"u": upload_id},
        ).fetchall()[0][0]
        _check_count("changed", updated, changed)
    if added:
        progress(0.9, "Storing: adding values")
        # Only keys not stored: a key is stored once, however many uploads name it.
        inserted = cur.execute(
            f"{_INSERT[kind]} FROM {keyed} WHERE NOT EXISTS "
            f"(SELECT 1 FROM {table} v WHERE {match})",
            {"u": upload_id},
        ).fetchall()[0][0]
        _check_count("added", inserted, added)
    return _record_counts(
        cur,
        parsed,
        upload_id,
        added,
        changed,
        unchanged,
        f"Stored as upload {upload_id}: "
        + _count_line(added, changed, unchanged, parsed.missing)
        + ".",
    )


def _record_counts(
    cur,
    parsed: ParsedUpload,
    upload_id: int,
    added: int,
    changed: int,
    unchanged: int,
    message: str,
) -> CommitResult:
    """Write an upload's final counts to its history row and return what was stored."""
    cur.execute(
        "UPDATE uploads SET rows_added = ?, rows_changed = ?, rows_unchanged = ? "
        "WHERE upload_id = ?",
        [added, changed, unchanged, upload_id],
    )
    return CommitResult(upload_id, added, changed, unchanged, parsed.missing, message)


def _insert_new(cur, parsed: ParsedUpload, upload_id: int, progress) -> CommitResult:
    """Store a file none of whose rows has a stored key (see ``_may_meet_stored``)."""
    added = parsed.n_rows
    if not added:
        raise _NothingToStore(0)
    progress(0.9, "Storing: adding values")
    insert = f"{_INSERT[parsed.kind]} FROM ({_KEYED[parsed.kind]}) k"
    inserted = cur.execute(insert, {"u": upload_id}).fetchall()[0][0]
    if inserted != added:
        raise _names_gone(parsed)
    return _record_counts(
        cur,
        parsed,
        upload_id,
        added,
        0,
        0,
        f"Stored as upload {upload_id}: " + _count_line(added, 0, 0, parsed.missing) + ".",
    )


def _names_gone(parsed: ParsedUpload) -> InvalidContent:
    # Rows whose names no longer match a stored row (which storing created, if new).
    return InvalidContent.single(
        parsed.file_name,
        "a site or indicator this file names was removed while it was being checked; "
        "upload the file again.",
    )


def _check_count(what: str, done: int, counted: int) -> None:
    """Stop (rolling back) if a write touched other rows than the transaction counted."""
    if done != counted:
        raise RuntimeError(f"storing {what} {done} rows, but {counted} were counted")


class _NothingToStore(Exception):
    def __init__(self, unchanged: int) -> None:
        self.unchanged = unchanged


def _conflicts(cur, parsed: ParsedUpload, changed: int) -> ConflictError:
    kind, table = parsed.kind, _TABLE[parsed.kind]
    # The first conflicts by line are listed, the rest counted (like every list of problems).
    rows = cur.execute(
        "SELECT k.line, coalesce(i.name, k.key_measure), s.name, "
        "coalesce(strftime(k.key_date, '%B %Y'), k.key_year::VARCHAR), v.value, k.value, "
        f"v.upload_id FROM ({_KEYED[kind]}) k JOIN {table} v ON {_STORED_MATCH[kind]} "
        "JOIN sites s ON s.site_id = k.site_id "
        "LEFT JOIN indicators i ON i.indicator_id = k.key_id "
        f"WHERE v.value <> k.value ORDER BY k.line LIMIT {MAX_LISTED}"
    ).fetchall()
    problems = [
        Problem(
            parsed.file_name,
            line,
            None,
            f"{label} for {period} at '{site}' is stored as {_num(old)}"
            + (f" (upload {src})" if src is not None else "")
            + f"; this file has {_num(new)}. Store it with replace (--replace) to change the "
            "stored value, or correct the file.",
        )
        for line, label, site, period, old, new, src in rows
    ]
    return ConflictError(problems, more=changed - len(problems))


def _num(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else repr(x)


def _commit_survey(cur, parsed: ParsedUpload, user, progress) -> CommitResult:
    added, changed, unchanged = (int(x) for x in _survey_counts(cur))
    if changed:
        conflicts = _survey_conflicts(cur)
        raise ConflictError(
            [
                Problem(
                    parsed.file_name,
                    int(r.line),
                    None,
                    f"respondent '{r.respondent}' in wave '{r.wave}' at '{r.site}' is already "
                    "stored with different answers"
                    + (
                        f" by upload {int(r.stored_upload)} ('{r.stored_file}'); revert upload "
                        f"{int(r.stored_upload)} first, then upload this file again."
                        if pd.notna(r.stored_upload)
                        else " (not from an upload); give this respondent another ID, or "
                        "remove the row."
                    ),
                )
                for r in conflicts.itertuples()
            ]
        )
    new_respondents = cur.execute(
        "SELECT count(*) FROM (SELECT DISTINCT i.site, i.wave, i.respondent FROM incoming i "
        "LEFT JOIN sites s ON s.name = i.site LEFT JOIN waves w ON w.label = i.wave "
        "LEFT JOIN respondents r ON r.site_id = s.site_id AND r.wave_id = w.wave_id "
        "AND r.external_id = i.respondent WHERE r.respondent_id IS NULL)"
    ).fetchall()[0][0]
    upload_id = _insert_upload(cur, parsed, user)
    _create_sites(cur, parsed, upload_id)
    problems = _ensure_waves(cur, parsed, upload_id)
    if problems:
        raise InvalidContent(problems)
    if new_respondents == 0:
        raise _NothingToStore(unchanged)
    progress(0.8, "Storing: respondents")
    cur.execute(
        """
        INSERT INTO respondents (site_id, wave_id, role_id, external_id, upload_id)
        SELECT s.site_id, w.wave_id, ro.role_id, f.respondent, $u
        FROM (SELECT site, wave, respondent, any_value(role) AS role FROM incoming
              GROUP BY ALL) f
        JOIN sites s ON s.name = f.site JOIN waves w ON w.label = f.wave
        JOIN roles ro ON ro.name = f.role
        LEFT JOIN respondents r ON r.site_id = s.site_id AND r.wave_id = w.wave_id
            AND r.external_id = f.respondent
        WHERE r.respondent_id IS NULL
        ORDER BY f.wave, f.respondent
        """,
        {"u": upload_id},
    )
    progress(0.9, "Storing: answers")
    cur.execute(
        """
        INSERT INTO responses (respondent_id, statement_id, score)
        SELECT r.respondent_id, i.statement_id, i.score FROM incoming i
        JOIN sites s ON s.name = i.site JOIN waves w ON w.label = i.wave
        JOIN respondents r ON r.site_id = s.site_id AND r.wave_id = w.wave_id
            AND r.external_id = i.respondent AND r.upload_id = $u
        WHERE i.score IS NOT NULL
        """,
        {"u": upload_id},
    )
    return _record_counts(
        cur,
        parsed,
        upload_id,
        added,
        0,
        unchanged,
        f"Stored as upload {upload_id}: {new_respondents} respondents; "
        + _count_line(added, 0, unchanged, parsed.missing)
        + " answers.",
    )


def _ensure_waves(cur, parsed: ParsedUpload, upload_id: int) -> list[Problem]:
    """Create waves (and invited counts) the upload names; refuse ones that contradict."""
    problems = []
    sites = [r[0] for r in cur.execute("SELECT DISTINCT site FROM incoming").fetchall()]
    for label, details in parsed.waves.items():
        found = cur.execute(
            "SELECT wave_id, fieldwork_start, fieldwork_end FROM waves WHERE label = ?", [label]
        ).fetchall()
        if not found:
            wave_id = cur.execute(
                "INSERT INTO waves (label, fieldwork_start, fieldwork_end, wave_order) "
                "SELECT ?, ?, ?, coalesce(max(wave_order), 0) + 1 FROM waves "
                "RETURNING wave_id",
                [label, details.fieldwork_start, details.fieldwork_end],
            ).fetchall()[0][0]
            _record_created(cur, upload_id, "waves", wave_id)
        else:
            wave_id, start, end = found[0]
            for given, stored, what in (
                (details.fieldwork_start, start, "start"),
                (details.fieldwork_end, end, "end"),
            ):
                if given is not None and given != stored:
                    problems.append(
                        Problem(
                            parsed.file_name,
                            None,
                            None,
                            f"the wave '{label}' is stored with fieldwork {what} "
                            f"{stored or 'not given'}, not {given}; leave the date out or give "
                            "the stored one.",
                        )
                    )
        if details.invited is None:
            continue
        for site in sites:
            site_id = cur.execute("SELECT site_id FROM sites WHERE name = ?", [site]).fetchall()[0][
                0
            ]
            stored = cur.execute(
                "SELECT invited FROM wave_sites WHERE wave_id = ? AND site_id = ?",
                [wave_id, site_id],
            ).fetchall()
            if not stored:
                cur.execute(
                    "INSERT INTO wave_sites VALUES (?, ?, ?)", [wave_id, site_id, details.invited]
                )
                _record_created(cur, upload_id, "wave_sites", wave_id, site_id)
            elif stored[0][0] != details.invited:
                problems.append(
                    Problem(
                        parsed.file_name,
                        None,
                        None,
                        f"the wave '{label}' already records {stored[0][0]} staff invited at "
                        f"'{site}', not {details.invited}; leave the number out or give the "
                        "stored one.",
                    )
                )
    return problems


# --- history and revert -------------------------------------------------------------------


def list_uploads(db: Database) -> pd.DataFrame:
    """Every upload, newest first."""
    with db.cursor() as cur:
        return cur.execute(
            "SELECT upload_id, uploaded_at, uploaded_by, kind, file_name, sha256, encoding, "
            "rows_added, rows_changed, rows_unchanged, rows_missing, status, reverted_at "
            "FROM uploads ORDER BY upload_id DESC"
        ).df()


def revert(db: Database, upload_id: int) -> str:
    """Undo one stored upload exactly; return a sentence saying what was done."""
    with db.transaction() as cur:
        found = cur.execute(
            "SELECT kind, file_name, status, reverted_at FROM uploads WHERE upload_id = ?",
            [upload_id],
        ).fetchall()
        name = f"upload {upload_id}"
        if not found:
            raise RevertRefused.single(
                name, f"there is no upload {upload_id}; list them with 'python -m rpgdash uploads'."
            )
        kind, file_name, status, reverted_at = found[0]
        if status == "reverted":
            raise RevertRefused.single(
                name,
                f"upload {upload_id} ('{file_name}') was already reverted on "
                f"{reverted_at:%Y-%m-%d %H:%M}; nothing changed.",
            )
        if kind == "survey":
            removed = _revert_survey(cur, upload_id)
            done = f"removed {removed} respondents and their answers"
        elif kind == "excerpts":
            removed, themes = _revert_excerpts(cur, upload_id)
            done = f"removed {removed} excerpts and {themes} themes it created"
        else:
            done = _revert_values(cur, upload_id, kind, file_name)
        cur.execute(
            "UPDATE uploads SET status = 'reverted', reverted_at = current_timestamp "
            "WHERE upload_id = ?",
            [upload_id],
        )
    # DuckDB cannot delete a referenced row in the transaction that deleted its references,
    # so rows the upload created are removed in a second one. If the process stops between
    # the two, the next revert removes them (they are unused either way).
    _remove_unused_created(db)
    return f"Reverted upload {upload_id} ('{file_name}'): {done}."


def _revert_values(cur, upload_id: int, kind: str, file_name: str) -> str:
    table = _TABLE[kind]
    later = cur.execute(
        "SELECT DISTINCT u.upload_id, u.file_name, u.uploaded_at FROM upload_changes c "
        "JOIN uploads u ON u.upload_id = c.upload_id "
        "WHERE c.old_upload_id = ? AND c.table_name = ? AND u.status = 'stored' "
        "ORDER BY u.upload_id DESC",
        [upload_id, table],
    ).fetchall()
    if later:
        names = ", ".join(f"upload {u} ('{f}', {t:%Y-%m-%d %H:%M})" for u, f, t in later)
        first = later[0][0]
        raise RevertRefused.single(
            f"upload {upload_id}",
            f"{names} later changed values that upload {upload_id} ('{file_name}') stored; "
            f"revert upload {first} first, then upload {upload_id}.",
        )
    deleted = cur.execute(
        f"DELETE FROM {table} t WHERE t.upload_id = $u AND NOT EXISTS (SELECT 1 FROM "
        f"upload_changes c WHERE c.upload_id = $u AND c.table_name = $t AND {_KEY_MATCH[kind]})",
        {"u": upload_id, "t": table},
    ).fetchall()[0][0]
    restored = cur.execute(
        f"UPDATE {table} t SET value = c.old_value, upload_id = c.old_upload_id "
        f"FROM upload_changes c WHERE c.upload_id = $u AND c.table_name = $t "
        f"AND {_KEY_MATCH[kind]} AND t.upload_id = $u",
        {"u": upload_id, "t": table},
    ).fetchall()[0][0]
    return f"removed {deleted} values it added and restored {restored} values it changed"


def _revert_survey(cur, upload_id: int) -> int:
    cur.execute(
        "DELETE FROM responses WHERE respondent_id IN "
        "(SELECT respondent_id FROM respondents WHERE upload_id = ?)",
        [upload_id],
    )
    removed = cur.execute("DELETE FROM respondents WHERE upload_id = ?", [upload_id]).fetchall()[0][
        0
    ]
    cur.execute(
        "DELETE FROM wave_sites ws USING upload_created c WHERE c.upload_id = ? "
        "AND c.table_name = 'wave_sites' AND ws.wave_id = c.key_id AND ws.site_id = c.site_id",
        [upload_id],
    )
    return removed


def _revert_excerpts(cur, upload_id: int) -> tuple[int, int]:
    """Delete the upload's excerpts, then its themes that nothing else uses any more."""
    removed = cur.execute("DELETE FROM excerpts WHERE upload_id = ?", [upload_id]).fetchall()[0][0]
    themes = cur.execute(
        "DELETE FROM themes WHERE upload_id = $u "
        "AND theme_id NOT IN (SELECT theme_id FROM excerpts) "
        "AND theme_id NOT IN (SELECT theme_id FROM theme_statements) "
        "AND theme_id NOT IN (SELECT theme_id FROM theme_measures)",
        {"u": upload_id},
    ).fetchall()[0][0]
    return removed, themes


#: Rows of each table still in use (a created row is removed only when unused).
_IN_USE = {
    "indicators": "SELECT indicator_id FROM indicator_values",
    "waves": (
        "SELECT wave_id FROM respondents UNION ALL SELECT wave_id FROM wave_sites "
        "UNION ALL SELECT wave_id FROM themes"
    ),
    "sites": (
        "SELECT site_id FROM indicator_values UNION ALL SELECT site_id FROM workforce "
        "UNION ALL SELECT site_id FROM respondents UNION ALL SELECT site_id FROM wave_sites "
        "UNION ALL SELECT site_id FROM events WHERE site_id IS NOT NULL "
        "UNION ALL SELECT site_id FROM excerpts"
    ),
}
_ID = {"indicators": "indicator_id", "waves": "wave_id", "sites": "site_id"}


def _remove_unused_created(db: Database) -> None:
    """Delete rows that reverted uploads created and nothing uses any more."""
    for table in ("indicators", "waves", "sites"):
        # A row still referenced from a table not listed in _IN_USE simply stays.
        with contextlib.suppress(duckdb.ConstraintException):
            _remove_unused(db, table)


def _remove_unused(db: Database, table: str) -> None:
    with db.transaction() as cur:
        cur.execute(
            f"DELETE FROM {table} WHERE {_ID[table]} IN ("
            "  SELECT c.key_id FROM upload_created c JOIN uploads u USING (upload_id)"
            "  WHERE u.status = 'reverted' AND c.table_name = ?) "
            f"AND {_ID[table]} NOT IN ({_IN_USE[table]})",
            [table],
        )


# --- small reads and the one settings write the upload page needs -------------------------


def stored_indicators(db: Database) -> pd.DataFrame:
    """name, unit, direction of every stored indicator."""
    with db.cursor() as cur:
        return cur.execute("SELECT name, unit, direction FROM indicators ORDER BY name").df()


def local_sites(db: Database) -> list[str]:
    with db.cursor() as cur:
        return [
            r[0]
            for r in cur.execute(
                "SELECT name FROM sites WHERE kind = 'local_authority' ORDER BY name"
            ).fetchall()
        ]


def stored_waves(db: Database) -> list[str]:
    with db.cursor() as cur:
        return [r[0] for r in cur.execute("SELECT label FROM waves ORDER BY wave_order").fetchall()]


def default_site(db: Database) -> str | None:
    """The only local-authority site, or None when there are none or several."""
    sites = local_sites(db)
    return sites[0] if len(sites) == 1 else None


def set_indicator_direction(db: Database, indicator: str, direction: str) -> None:
    """Change whether a rise in ``indicator`` is an improvement (increase/decrease/neutral)."""
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    with db.transaction() as cur:
        found = cur.execute(
            "UPDATE indicators SET direction = ? WHERE name = ?", [direction, indicator]
        ).fetchall()[0][0]
    if not found:
        raise ValueError(f"there is no stored indicator '{indicator}'.")


__all__ = [
    "CommitResult",
    "IngestError",
    "Preview",
    "commit",
    "default_site",
    "list_uploads",
    "preview",
    "revert",
    "set_indicator_direction",
    "stored_indicators",
    "stored_waves",
    "local_sites",
]
