"""A survey wave: long (respondent_id, role, statement, answer), SurveyMonkey's standard export
(two header rows) or this product's own export (site, wave, respondent_id, role, domain,
statement, score). Personal columns are dropped before anything else happens."""

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
    execute,
    header_index,
    name_map,
)
from rpgdash.ingest.model import ParsedUpload, WaveDetails
from rpgdash.ingest.reading import RawTable
from rpgdash.ingest.values import (
    MISSING_MARKERS,
    close_matches,
    normalise_name,
    normalise_statement,
    quote_cell,
)

#: Answer labels (normalised: lower case, single spaces, no punctuation) -> score.
ANSWERS = {
    "agree strongly": 4,
    "strongly agree": 4,
    "agree": 3,
    "disagree": 2,
    "disagree strongly": 1,
    "strongly disagree": 1,
    "4": 4,
    "3": 3,
    "2": 2,
    "1": 1,
}
ANSWER_HELP = "Agree strongly, Agree, Disagree or Strongly disagree (or 4, 3, 2, 1)"

_METADATA = {"respondent id", "collector id", "start date", "end date"}
_PERSONAL = re.compile(r"ip address|email address|email|first name|last name|custom data \d+")
_SINGLE_ANSWER = {"", "response", "open-ended response", "open ended response"}


def _answer_key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def parse_survey(
    raw: RawTable,
    db: Database,
    *,
    site: str | None = None,
    wave: WaveDetails | None = None,
) -> ParsedUpload:
    problems = Problems(raw.file_name)
    notes: list[str] = []
    con = raw.con
    personal = [(i, h) for i, h in enumerate(raw.header) if _PERSONAL.fullmatch(normalise_name(h))]
    if personal:
        # Drop them before any other step reads the table.
        for i, _ in personal:
            con.execute(f"ALTER TABLE raw DROP COLUMN c{i}")
        notes.append(
            "Personal columns were dropped and not stored: "
            + ", ".join(h for _, h in personal)
            + "."
        )
    dropped = dict(personal)
    with db.cursor() as cur:
        statements = dict(cur.execute("SELECT text, statement_id FROM statements").fetchall())
        roles = [r[0] for r in cur.execute("SELECT name FROM roles ORDER BY rank").fetchall()]
        sites = [r[0] for r in cur.execute("SELECT name FROM sites ORDER BY name").fetchall()]
        waves = [r[0] for r in cur.execute("SELECT label FROM waves").fetchall()]
    if raw.header2 is not None:
        layout = "SurveyMonkey export"
        _surveymonkey_answers(raw, con, problems, notes, statements, dropped)
    else:
        check_duplicate_headers(raw.header, problems)
        cols = header_index(raw.header)
        rid = cols.get("respondent id", cols.get("respondent"))
        if {"site", "wave", "role", "statement", "score"} <= cols.keys() and rid is not None:
            layout = "survey export"
            answer = cols["score"]
        elif {"role", "statement", "answer"} <= cols.keys() and rid is not None:
            layout = "long"
            answer = cols["answer"]
        else:
            problems.add(
                1,
                None,
                "the header must be respondent_id, role, statement, answer (one row per "
                "answer), a SurveyMonkey export with two header rows, or this dashboard's "
                "survey export. Found: " + ", ".join(f"'{h}'" for h in raw.header if h) + ".",
            )
            problems.raise_if_any()
        site_sql = cell(f"c{cols['site']}") if "site" in cols else "NULL"
        wave_sql = cell(f"c{cols['wave']}") if "wave" in cols else "NULL"
        role, statement = cols["role"], cols["statement"]
        con.execute(
            f"CREATE TABLE answers AS SELECT _line, {site_sql} AS site_text, "
            f"{wave_sql} AS wave_text, {cell(f'c{rid}')} AS respondent, "
            f"{cell(f'c{role}')} AS role_text, {role} AS role_col, "
            f"{cell(f'c{statement}')} AS statement_text, "
            f"{statement} AS statement_col, {cell(f'c{answer}')} AS answer_text, "
            f"{answer} AS answer_col FROM raw"
        )
        text_cols = [rid, cols["role"], cols["statement"]] + [
            cols[c] for c in ("site", "wave") if c in cols
        ]
        check_formulas(con, problems, text_cols)
        _map_statements_long(con, problems, statements)
    site_map = _map_column(con, problems, "site_text", site, sites, "site")
    wave_label = wave.label if wave else None
    wave_map = _map_column(con, problems, "wave_text", wave_label, waves, "wave", create=True)
    _map_roles(con, problems, roles)
    missing = _map_answers(con, problems)
    problems.query(
        con,
        "SELECT DISTINCT _line FROM answers WHERE respondent IS NULL",
        {},
        lambda r: (r["_line"], None, "the respondent ID is blank; fill it in."),
    )
    con.register("site_pairs", site_map)
    con.register("wave_pairs", wave_map)
    con.execute(
        "CREATE TABLE clean AS SELECT a._line, s.name::VARCHAR AS site, w.name::VARCHAR AS wave, "
        "a.respondent, r.role, st.statement_id, sc.score "
        "FROM answers a JOIN site_pairs s ON s.text IS NOT DISTINCT FROM a.site_text "
        "JOIN wave_pairs w ON w.text IS NOT DISTINCT FROM a.wave_text "
        "JOIN role_map r ON r.text = a.role_text "
        "JOIN statement_map st ON st.text = a.statement_text "
        "JOIN score_map sc ON sc.text IS NOT DISTINCT FROM a.answer_text "
        "WHERE a.respondent IS NOT NULL AND s.name IS NOT NULL AND w.name IS NOT NULL "
        "AND r.role IS NOT NULL AND st.statement_id IS NOT NULL AND NOT sc.bad"
    )
    problems.query(
        con,
        duplicates("clean", "site, wave, respondent, statement_id"),
        {},
        lambda r: (
            r["_line"],
            None,
            f"respondent {quote_cell(r['respondent'])} answers the "
            f"same statement again (first on line {r['first_line']}); keep one answer "
            "per respondent and statement.",
        ),
    )
    problems.query(
        con,
        "SELECT min(_line) AS _line, respondent, "
        "string_agg(DISTINCT role, ', ' ORDER BY role) AS roles FROM clean "
        "GROUP BY site, wave, respondent HAVING count(DISTINCT role) > 1",
        {},
        lambda r: (
            r["_line"],
            None,
            f"respondent {quote_cell(r['respondent'])} has more than "
            f"one role ({r['roles']}); give each respondent one role.",
        ),
    )
    problems.raise_if_any()
    rows = con.sql(
        "SELECT _line AS line, site, wave, respondent, role, statement_id, score FROM clean "
        "ORDER BY _line, statement_id"
    ).to_arrow_table()
    file_waves = [r[0] for r in con.execute("SELECT DISTINCT wave FROM clean").fetchall()]
    details = {w: (wave if wave and w == wave.label else WaveDetails(w)) for w in file_waves}
    return ParsedUpload.of(
        raw,
        "survey",
        layout,
        rows,
        missing=missing,
        notes=notes,
        new_sites={s: "local_authority" for s in site_map.attrs.get("new", [])},
        waves=details,
    )


def _surveymonkey_answers(raw, con, problems, notes, statements, dropped) -> None:
    """Melt SurveyMonkey's wide export into table ``answers`` (one row per cell)."""
    question, questions = "", []
    for h in raw.header:
        question = h or question
        questions.append(question)
    sub = raw.header2 or []
    # Dropped personal columns are gone from raw; the others keep their names (c<index>).
    present = [i for i in range(len(raw.header)) if i not in dropped]
    rid = role = None
    statement_cols, ignored = [], []
    by_key = {normalise_statement(t): t for t in statements}
    for i in present:
        q = normalise_name(questions[i])
        s = normalise_name(sub[i]) if i < len(sub) else ""
        if q == "respondent id":
            rid = i
        elif q in _METADATA:
            continue
        elif "role" in q and s in _SINGLE_ANSWER and role is None:
            role = i
        elif s in _SINGLE_ANSWER:
            ignored.append(questions[i])
        else:
            statement_cols.append(i)
            text = sub[i]
            if normalise_statement(text) not in by_key:
                matches = close_matches(text, list(statements), normalise_statement)
                problems.add(
                    2,
                    i,
                    f"the statement {quote_cell(text, 80)} is not stored; check its wording"
                    + (
                        " (closest stored: " + "; ".join(f"'{m}'" for m in matches) + ")"
                        if matches
                        else ""
                    )
                    + ".",
                )
    if rid is None:
        problems.add(
            1,
            None,
            "there is no 'Respondent ID' column; export again from "
            "SurveyMonkey with the standard columns.",
        )
    if role is None:
        problems.add(
            1,
            None,
            "there is no question about the respondent's role (a column "
            "whose question contains 'role'); add it, or use the long layout.",
        )
    if not statement_cols:
        problems.add(2, None, "no statement columns were found under the questions.")
    problems.raise_if_any()
    if ignored:
        notes.append("Questions not read: " + "; ".join(dict.fromkeys(ignored)) + ".")
    parts = [
        f"SELECT _line, NULL::VARCHAR AS site_text, NULL::VARCHAR AS wave_text, "
        f"{cell(f'c{rid}')} AS respondent, {cell(f'c{role}')} AS role_text, {role} AS role_col, "
        f"$s{i} AS statement_text, {i} AS statement_col, {cell(f'c{i}')} AS answer_text, "
        f"{i} AS answer_col FROM raw"
        for i in statement_cols
    ]
    params = {f"s{i}": by_key[normalise_statement(sub[i])] for i in statement_cols}
    execute(con, "CREATE TABLE answers AS " + " UNION ALL ".join(parts), params)
    check_formulas(con, problems, [rid, role])
    con.execute(
        "CREATE TABLE statement_map AS SELECT DISTINCT statement_text AS text, "
        "statement_text AS stored FROM answers"
    )
    con.register(
        "statement_ids",
        pd.DataFrame({"stored": list(statements), "statement_id": list(statements.values())}),
    )
    con.execute(
        "CREATE TABLE statement_map2 AS SELECT m.text, s.statement_id FROM "
        "statement_map m JOIN statement_ids s USING (stored)"
    )
    con.execute("DROP TABLE statement_map; ALTER TABLE statement_map2 RENAME TO statement_map")
    con.unregister("statement_ids")


def _map_statements_long(con, problems: Problems, statements: dict[str, int]) -> None:
    by_key = {normalise_statement(t): t for t in statements}
    texts = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT statement_text FROM answers WHERE statement_text IS NOT NULL"
        ).fetchall()
    ]
    ids = {t: statements.get(by_key.get(normalise_statement(t), "")) for t in texts}
    con.register(
        "statement_pairs",
        pd.DataFrame({"text": texts, "statement_id": [ids[t] for t in texts]}).astype(
            {"statement_id": "Int64"}
        ),
    )
    con.execute(
        "CREATE TABLE statement_map AS SELECT text::VARCHAR AS text, "
        "statement_id::INTEGER AS statement_id FROM statement_pairs"
    )
    con.unregister("statement_pairs")
    problems.query(
        con,
        "SELECT _line, statement_col FROM answers WHERE statement_text IS NULL",
        {},
        lambda r: (r["_line"], r["statement_col"], "the statement is blank; fill it in."),
    )
    for text, sid in ids.items():
        if sid is None:
            matches = close_matches(text, list(statements), normalise_statement)
            problems.query(
                con,
                "SELECT min(_line) AS _line, any_value(statement_col) AS col, "
                "count(*) AS n FROM answers WHERE statement_text = $t HAVING count(*) > 0",
                {"t": text},
                lambda r, text=text, matches=matches: (
                    r["_line"],
                    r["col"],
                    f"the statement {quote_cell(text, 80)} is not stored"
                    + (f" (also on {r['n'] - 1} more lines)" if r["n"] > 1 else "")
                    + "; check its wording"
                    + (
                        " (closest stored: " + "; ".join(f"'{m}'" for m in matches) + ")"
                        if matches
                        else ""
                    )
                    + ".",
                ),
            )


def _map_column(con, problems, column, given, stored, what, create=False) -> pd.DataFrame:
    """Map a site or wave column (or the value chosen by the user) to stored names."""
    by_key = {normalise_name(s): s for s in stored}
    texts = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT {column} FROM answers WHERE {column} IS NOT NULL"
        ).fetchall()
    ]
    new: list[str] = []
    if not texts:
        if given is None:
            problems.add(
                None,
                None,
                f"the file has no {what} column; choose the {what} the answers belong to.",
            )
            problems.raise_if_any()
        name = by_key.get(normalise_name(given), " ".join(given.split()))
        if normalise_name(given) not in by_key:
            new.append(name)
        frame = pd.DataFrame({"text": [None], "name": [name]}, dtype=object)
    else:
        names = []
        for t in texts:
            name = by_key.get(normalise_name(t))
            if name is None and create:
                name = " ".join(t.split())
                new.append(name)
            elif name is None:
                problems.query(
                    con,
                    f"SELECT min(_line) AS _line FROM answers WHERE {column} = $t "
                    "HAVING count(*) > 0",
                    {"t": t},
                    lambda r, t=t: (
                        r["_line"],
                        None,
                        f"the {what} {quote_cell(t)} is not stored" + _suggest(t, stored),
                    ),
                )
            names.append(name)
        frame = pd.DataFrame({"text": texts, "name": names}, dtype=object)
        problems.query(
            con,
            f"SELECT DISTINCT _line FROM answers WHERE {column} IS NULL",
            {},
            lambda r: (r["_line"], None, f"the {what} is blank; fill it in."),
        )
    frame.attrs["new"] = new
    return frame


def _suggest(text: str, stored: list[str]) -> str:
    """The end of a refusal: a suggestion, or the stored names, with final punctuation."""
    matches = close_matches(text, stored)
    if matches:
        return ". Did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"
    if stored:
        return "; the stored ones are " + ", ".join(f"'{s}'" for s in stored) + "."
    return "."


def _map_roles(con, problems: Problems, roles: list[str]) -> None:
    mapped = name_map(
        con,
        source="answers",
        column="role_text",
        table="role_map",
        known=roles,
        name_as="role",
    )
    problems.query(
        con,
        "SELECT DISTINCT _line, role_col FROM answers WHERE role_text IS NULL",
        {},
        lambda r: (r["_line"], r["role_col"], "the role is blank; fill it in."),
    )
    for text, role in mapped.items():
        if role is None:
            problems.query(
                con,
                "SELECT min(_line) AS _line, any_value(role_col) AS col, "
                "count(DISTINCT _line) AS n FROM answers WHERE role_text = $t "
                "HAVING count(*) > 0",
                {"t": text},
                lambda r, text=text: (
                    r["_line"],
                    r["col"],
                    f"the role {quote_cell(text)} is not stored"
                    + (f" (also on {r['n'] - 1} more lines)" if r["n"] > 1 else "")
                    + _suggest(text, roles),
                ),
            )


def _map_answers(con, problems: Problems) -> int:
    """Map answer labels or 1-4 to scores; return how many answers are missing."""
    texts = [r[0] for r in con.execute("SELECT DISTINCT answer_text FROM answers").fetchall()]
    scores, bad = [], []
    for t in texts:
        if _is_missing(t):
            scores.append(None)
            bad.append(False)
        else:
            score = ANSWERS.get(_answer_key(t))
            if score is None and re.fullmatch(r"[1-4]\.0+", t):
                score = int(t[0])
            scores.append(score)
            bad.append(score is None)
    con.register(
        "score_pairs",
        pd.DataFrame({"text": texts, "score": scores, "bad": bad}).astype({"score": "Int64"}),
    )
    con.execute(
        "CREATE TABLE score_map AS SELECT text::VARCHAR AS text, "
        "score::TINYINT AS score, bad FROM score_pairs"
    )
    con.unregister("score_pairs")
    problems.query(
        con,
        "SELECT _line, answer_col, answer_text FROM answers JOIN score_map s "
        "ON s.text = answers.answer_text WHERE s.bad",
        {},
        lambda r: (r["_line"], r["answer_col"], _bad_answer(r["answer_text"])),
    )
    return con.execute(
        "SELECT count(*) FROM answers JOIN score_map s ON s.text IS NOT DISTINCT FROM "
        "answers.answer_text WHERE s.score IS NULL AND NOT s.bad"
    ).fetchall()[0][0]


def _is_missing(text: str | None) -> bool:
    return text is None or text.strip().casefold() in MISSING_MARKERS


def _bad_answer(text: str) -> str:
    labels = ["Agree strongly", "Strongly agree", "Agree", "Disagree", "Strongly disagree"]
    matches = close_matches(text, labels, _answer_key)
    hint = (" Did you mean " + " or ".join(f"'{m}'" for m in matches) + "?") if matches else ""
    return f"the answer {quote_cell(text)} is not on the 4-point scale; use {ANSWER_HELP}.{hint}"
