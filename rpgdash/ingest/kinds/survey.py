"""A survey wave (parsed by :mod:`rpgdash.ingest.survey`).

A survey upload cannot replace answers already stored (the refusal names the upload that
stored them), so reverting it just removes its respondents and their answers.
"""

from __future__ import annotations

import pandas as pd

from rpgdash import results_store
from rpgdash.ingest.errors import ConflictError, InvalidContent, Problem
from rpgdash.ingest.kinds.base import (
    Cursor,
    FunctionStorage,
    NothingToStore,
    UploadKind,
    create_sites,
    insert_upload,
    record_counts,
    record_created,
)
from rpgdash.ingest.model import CommitResult, ParsedUpload, Preview, WriteOptions, count_line
from rpgdash.ingest.survey import parse_survey

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


def _preview(cur, parsed: ParsedUpload, spec: UploadKind) -> Preview:
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
    coverage = cur.execute(spec.coverage).df()
    stored_waves = {r[0] for r in cur.execute("SELECT label FROM waves").fetchall()}
    new_waves = sorted(w for w in parsed.waves if w not in stored_waves)
    return Preview(
        parsed, added, changed, unchanged, None, to_add, conflicts, coverage, new_waves=new_waves
    )


def _write(cur, parsed: ParsedUpload, options: WriteOptions) -> CommitResult:
    user, progress = options.user, options.progress
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
    upload_id = insert_upload(cur, parsed, user)
    create_sites(cur, parsed, upload_id)
    problems = _ensure_waves(cur, parsed, upload_id)
    if problems:
        raise InvalidContent(problems)
    if new_respondents == 0:
        raise NothingToStore(unchanged)
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
    results_store.refresh(cur, results_store.sites_of_upload(cur, upload_id))
    return record_counts(
        cur,
        parsed,
        upload_id,
        added,
        0,
        unchanged,
        f"Stored as upload {upload_id}: {new_respondents} respondents; "
        + count_line(added, 0, unchanged, parsed.missing)
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
            record_created(cur, upload_id, "waves", wave_id)
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
                record_created(cur, upload_id, "wave_sites", wave_id, site_id)
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


def _remove(cur, upload_id: int) -> int:
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


def _revert(cur: Cursor, upload_id: int) -> str:
    sites = results_store.sites_of_upload(cur, upload_id)
    removed = _remove(cur, upload_id)
    results_store.refresh(cur, sites)
    return f"removed {removed} respondents and their answers"


SPEC = UploadKind(
    name="survey",
    label="A survey wave",
    parse=parse_survey,
    table="responses",
    key=("respondent_id", "statement_id"),
    coverage=(
        "SELECT site, wave, count(DISTINCT respondent) AS respondents, "
        "count(DISTINCT statement_id) AS statements, count(score) AS answers "
        "FROM incoming GROUP BY site, wave ORDER BY site, wave"
    ),
    storage=FunctionStorage(_preview, _write, _revert),
    changes_title="Respondents already stored with different answers (cannot be stored)",
    can_replace=False,
    asks_wave=True,
)
