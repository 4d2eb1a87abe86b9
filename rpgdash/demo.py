"""The deterministic demo dataset: one (or, for benchmarks, N) illustrative local authorities.

Everything is derived from the published evaluation (see ``shared/PAPER_FACTS.md``):

* the survey waves, their fieldwork dates, respondents (47 and 75) and invited staff;
* the statements named in the paper, plus clearly marked illustrative self-efficacy items;
* per-statement answer distributions chosen so that the product's own statistics reproduce
  the paper's nine survey findings (``tests/test_demo_reproduces_paper.py`` checks them);
* monthly indicator series over exactly the published month ranges (values illustrative);
* the workforce figures of the paper's Table 2 (real, published values);
* the evaluation timeline as chart events.

The answers are built in two steps. For each wave and statement, the number of answers at each
level is fixed by a target mean (no randomness, so findings do not depend on luck). The seed
only decides which respondent gives which answer: respondents are ranked by a role-dependent
propensity plus noise, and the highest scores go to the highest ranks, so senior managers and
lead practitioners agree most (finding 9) for any seed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from rpgdash.db import Database, DatabaseBusyError, open_db
from rpgdash.demo_benchmarks import insert_demo_benchmarks
from rpgdash.demo_evidence import insert_demo_evidence

SITE_NAME = "Demo local authority"

#: (name, hierarchy rank, propensity to agree). "Other" stays below 5 per wave on purpose,
#: so that disclosure control is exercised; senior social workers are the next smallest group
#: (but 5 or more), so secondary suppression hides them rather than the senior managers whose
#: answers carry finding 9.
ROLES: tuple[tuple[str, int, float], ...] = (
    ("Senior manager", 1, 1.6),
    ("Team manager", 2, 0.35),
    ("Lead practitioner", 3, 1.5),
    ("Senior social worker", 4, -0.25),
    ("Social worker", 5, 0.0),
    ("Other", 6, -0.1),
)


@dataclass(frozen=True)
class DemoWave:
    label: str
    start: dt.date
    end: dt.date
    order: int
    comparable: bool
    invited: int | None
    respondents_by_role: tuple[int, ...]  # in ROLES order
    note: str


WAVES: tuple[DemoWave, ...] = (
    DemoWave(
        "Baseline",
        dt.date(2015, 11, 1),
        dt.date(2016, 1, 31),
        0,
        False,
        None,
        (),
        "Collected by an earlier evaluator with a different instrument: not comparable with "
        "later waves, so excluded from every comparison. No answers are stored.",
    ),
    DemoWave(
        "+1 year",
        dt.date(2016, 11, 1),
        dt.date(2017, 3, 31),
        1,
        True,
        214,
        (7, 9, 8, 6, 14, 3),
        "About one year after RPGs began.",
    ),
    DemoWave(
        "+3 years",
        dt.date(2018, 11, 1),
        dt.date(2019, 3, 31),
        2,
        True,
        234,
        (9, 12, 11, 8, 31, 4),
        "About three years after RPGs began.",
    ),
)

#: (domain, text, from_paper, target mean at +1 year, target mean at +3 years).
#: Targets encode findings 1-8 of PAPER_FACTS.md; the tests check the realised statistics.
STATEMENTS: tuple[tuple[str, str, bool, float, float], ...] = (
    (
        "professional",
        "The RPG has further developed my ability to reflect on my work",
        True,
        3.06,
        3.16,
    ),
    (
        "professional",
        "The RPG has provided other perspectives concerning my work",
        True,
        3.00,
        3.10,
    ),
    (
        "professional",
        "The RPG has helped me to manage the emotional impact of my work",
        True,
        2.94,
        3.04,
    ),
    (
        "professional",
        "The RPG has helped me to develop better understanding of complex problems in my cases",
        True,
        2.60,
        3.08,
    ),
    (
        "professional",
        "The RPG has helped me to manage the emotional strain of my work more easily",
        True,
        2.56,
        3.04,
    ),
    ("professional", "The RPG has strengthened my professional identity", True, 2.82, 2.92),
    (
        "professional",
        "The RPG has increased my knowledge about different types of interventions to make with "
        "families",
        True,
        2.44,
        2.60,
    ),
    (
        "professional",
        "The RPG has improved my skills in relationship based work with families",
        True,
        2.34,
        2.56,
    ),
    (
        "self_efficacy",
        "I always manage to find time to update and write case reports",
        True,
        2.16,
        2.30,
    ),
    (
        "self_efficacy",
        "I can stay calm when facing difficulties in my work because I can rely on my coping "
        "abilities",
        False,
        2.70,
        2.84,
    ),
    (
        "self_efficacy",
        "When I am confronted with a problem in a case, I can usually find several solutions",
        False,
        2.80,
        2.90,
    ),
    (
        "self_efficacy",
        "I am confident that I could deal efficiently with unexpected events in my work",
        False,
        2.62,
        2.76,
    ),
    ("self_efficacy", "I can usually handle whatever comes my way at work", False, 2.74, 2.86),
    ("self_efficacy", "I can manage the competing demands of my caseload", False, 2.46, 2.60),
    (
        "relationships",
        "The RPG has improved my relationships and interactions with pod/team managers",
        True,
        2.36,
        2.88,
    ),
    (
        "relationships",
        "The RPG has improved my relationships and interactions with my peers",
        True,
        2.70,
        3.16,
    ),
    (
        "relationships",
        "The RPG has improved my relationships and interactions with senior managers",
        True,
        2.20,
        2.76,
    ),
    (
        "relationships",
        "The RPG has improved relationships and interactions across the whole system",
        True,
        2.30,
        2.82,
    ),
)

#: (name, unit, first month, last month, level at first month, change per month, noise SD,
#: description). Month ranges are the published ones; the values are illustrative.
INDICATORS: tuple[tuple[str, str, str, str, float, float, float, str], ...] = (
    (
        "Children subject to a child protection plan",
        "children",
        "2015-10",
        "2018-12",
        332.0,
        -3.1,
        9.0,
        "Children subject to a child protection plan at the end of the month.",
    ),
    (
        "Referrals",
        "referrals",
        "2015-12",
        "2018-12",
        418.0,
        -2.2,
        24.0,
        "Referrals to children's social care received in the month.",
    ),
    (
        "Re-referrals",
        "referrals",
        "2015-12",
        "2018-12",
        96.0,
        -0.65,
        8.0,
        "Referrals in the month within 12 months of a previous referral.",
    ),
    (
        "Looked after children",
        "children",
        "2015-10",
        "2018-10",
        452.0,
        -1.9,
        5.0,
        "Children looked after at the end of the month.",
    ),
)

#: Table 2 of the paper: published values, percent.
WORKFORCE: dict[str, tuple[float, float, float, float]] = {
    "Turnover": (15.0, 14.7, 14.8, 14.9),
    "Vacancies": (6.0, 7.2, 0.9, 0.4),
    "Agency staffing": (14.0, 11.4, 1.4, 0.0),
    "Sickness": (3.0, 3.7, 3.9, 3.5),
}
WORKFORCE_YEARS = (2015, 2016, 2017, 2018)

EVENTS: tuple[tuple[dt.date, dt.date | None, str, str], ...] = (
    (dt.date(2015, 11, 1), None, "RPGs start", "intervention"),
    (dt.date(2016, 11, 1), dt.date(2017, 3, 31), "+1 year survey fieldwork", "survey"),
    (dt.date(2017, 1, 1), None, "Facilitator change", "facilitation"),
    (dt.date(2018, 11, 1), dt.date(2019, 3, 31), "+3 years survey fieldwork", "survey"),
)

NOTES: tuple[tuple[str, str, str, str], ...] = (
    (
        "new_starters",
        "Why new starters joined",
        "In 2018, about two thirds of new starters' returns gave the relationship-based "
        "practice model, of which RPGs are part, as a reason for joining.",
        "Evaluation of whole-system reflective practice groups, Journal of Social Work "
        "Practice (2019): workforce findings.",
    ),
    (
        "agency_free",
        "No agency social workers",
        "The service had employed no agency social workers for about 18 months before the "
        "+3 years survey.",
        "Evaluation of whole-system reflective practice groups, Journal of Social Work "
        "Practice (2019): workforce findings.",
    ),
)

NO_ANSWER_RATE = 0.03
DEFAULT_SEED = 2019


def level_counts_for_mean(n: int, target: float, spread: float = 0.85) -> np.ndarray:
    """Counts of answers at levels 1-4 for ``n`` answers whose mean is as close to ``target``.

    The shape is a discretised normal curve centred so that its expected mean is the target;
    counts are allocated by largest remainder and then nudged one answer at a time between
    adjacent levels until the realised mean is the closest achievable to the target.
    """
    levels = np.arange(1, 5)

    def shape(mu: float) -> np.ndarray:
        w = np.exp(-((levels - mu) ** 2) / (2 * spread**2))
        return w / w.sum()

    lo, hi = -3.0, 8.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if shape(mid) @ levels < target:
            lo = mid
        else:
            hi = mid
    p = shape((lo + hi) / 2)
    raw = p * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts))[: n - counts.sum()]:
        counts[i] += 1
    goal = round(target * n)
    while (total := int(counts @ levels)) != goal:
        step = 1 if total < goal else -1
        # move one answer up (or down) one level, from the level with most answers that can move
        movable = [i for i in range(4) if counts[i] > 0 and 0 <= i + step < 4]
        i = max(movable, key=lambda j: counts[j])
        counts[i] -= 1
        counts[i + step] += 1
    return counts


def _month_range(first: str, last: str) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(first + "-01"), pd.Timestamp(last + "-01"), freq="MS")


def _site_names(scale: int) -> list[str]:
    if scale == 1:
        return [SITE_NAME]
    return [f"{SITE_NAME} {i:03d}" for i in range(1, scale + 1)]


def _survey_frames(site_index: int, rng: np.random.Generator) -> tuple[list[dict], list[dict]]:
    """Respondent and response rows for one site."""
    respondents: list[dict] = []
    responses: list[dict] = []
    for wave in WAVES:
        if not wave.respondents_by_role:
            continue
        roles = np.repeat(np.arange(len(ROLES)), wave.respondents_by_role)
        n_people = len(roles)
        base = np.array([ROLES[r][2] for r in roles]) + rng.normal(0.0, 0.45, n_people)
        ids = [f"S{site_index:03d}-W{wave.order}-{k + 1:03d}" for k in range(n_people)]
        for k in range(n_people):
            respondents.append({"key": ids[k], "wave": wave.label, "role": ROLES[roles[k]][0]})
        for s_index, (_, _, _, m1, m3) in enumerate(STATEMENTS):
            target = m1 if wave.order == 1 else m3
            answered = rng.random(n_people) >= NO_ANSWER_RATE
            n_answer = int(answered.sum())
            counts = level_counts_for_mean(n_answer, target)
            scores_desc = np.repeat(np.arange(4, 0, -1), counts[::-1])
            propensity = base + rng.normal(0.0, 0.25, n_people)
            order = [k for k in np.argsort(-propensity, kind="stable") if answered[k]]
            score_of = dict(zip(order, scores_desc, strict=True))
            for k in range(n_people):
                score = score_of.get(k)
                responses.append(
                    {
                        "key": ids[k],
                        "statement": s_index,
                        "score": None if score is None else int(score),
                    }
                )
    return respondents, responses


def _indicator_rows(site_id: int, rng: np.random.Generator) -> list[tuple]:
    rows = []
    for indicator_id, (_, _, first, last, level, slope, noise, _) in enumerate(INDICATORS, 1):
        months = _month_range(first, last)
        t = np.arange(len(months))
        values = np.round(level + slope * t + rng.normal(0.0, noise, len(months)))
        rows.extend(
            (indicator_id, site_id, m.date(), float(max(v, 0.0)))
            for m, v in zip(months, values, strict=True)
        )
    return rows


def build_demo(db: Database, *, seed: int = DEFAULT_SEED, scale: int = 1) -> None:
    """Fill an empty database with the demo dataset (``scale`` sites, same shape each)."""
    if scale < 1:
        raise ValueError("--scale must be 1 or more.")
    with db.transaction() as cur:
        if cur.execute("SELECT count(*) FROM sites").fetchall()[0][0]:
            raise ValueError(
                f"The database {db.path} already holds data; use --force to rebuild it."
            )
        for name, rank, _ in ROLES:
            cur.execute("INSERT INTO roles (name, rank) VALUES (?, ?)", [name, rank])
        for w in WAVES:
            cur.execute(
                "INSERT INTO waves (label, fieldwork_start, fieldwork_end, wave_order, "
                "comparable, note) VALUES (?, ?, ?, ?, ?, ?)",
                [w.label, w.start, w.end, w.order, w.comparable, w.note],
            )
        position = {d: 0 for d in ("professional", "self_efficacy", "relationships")}
        for domain, text, from_paper, _, _ in STATEMENTS:
            position[domain] += 1
            cur.execute(
                "INSERT INTO statements (domain, text, position, from_paper) VALUES (?, ?, ?, ?)",
                [domain, text, position[domain], from_paper],
            )
        for name, unit, _, _, _, _, _, description in INDICATORS:
            cur.execute(
                "INSERT INTO indicators (name, unit, direction, description) "
                "VALUES (?, ?, 'decrease', ?)",
                [name, unit, description],
            )
        for date, end, label, kind in EVENTS:
            cur.execute(
                "INSERT INTO events (site_id, event_date, end_date, label, kind) "
                "VALUES (NULL, ?, ?, ?, ?)",
                [date, end, label, kind],
            )
        for key, title, body, source in NOTES:
            cur.execute(
                "INSERT INTO notes (key, title, body, source, updated_at) "
                "VALUES (?, ?, ?, ?, TIMESTAMP '2019-06-01 00:00:00')",
                [key, title, body, source],
            )
        wave_ids = dict(cur.execute("SELECT label, wave_id FROM waves").fetchall())
        role_ids = dict(cur.execute("SELECT name, role_id FROM roles").fetchall())
        for site_index, site_name in enumerate(_site_names(scale), 1):
            _insert_site(cur, site_index, site_name, seed, wave_ids, role_ids)
        insert_demo_evidence(cur)
        insert_demo_benchmarks(cur, _site_names(scale)[0], WORKFORCE, WORKFORCE_YEARS)


def _insert_site(
    cur, site_index: int, site_name: str, seed: int, wave_ids: dict, role_ids: dict
) -> None:
    rng = np.random.default_rng([seed, site_index])
    site_id = cur.execute(
        "INSERT INTO sites (name) VALUES (?) RETURNING site_id", [site_name]
    ).fetchall()[0][0]
    for w in WAVES:
        cur.execute(
            "INSERT INTO wave_sites (wave_id, site_id, invited) VALUES (?, ?, ?)",
            [wave_ids[w.label], site_id, w.invited],
        )
    respondents, responses = _survey_frames(site_index, rng)
    people = pd.DataFrame(respondents)
    # Ids come from the table's own sequence, so later uploads never collide with them.
    ids = cur.execute(
        "SELECT nextval('respondent_ids') FROM range(?) ORDER BY 1", [len(people)]
    ).fetchall()
    people["respondent_id"] = [i for (i,) in ids]
    people["site_id"] = site_id
    people["wave_id"] = people["wave"].map(wave_ids)
    people["role_id"] = people["role"].map(role_ids)
    people_table = people[["respondent_id", "site_id", "wave_id", "role_id", "key"]]
    cur.register("demo_people", people_table)
    cur.execute(
        "INSERT INTO respondents (respondent_id, site_id, wave_id, role_id, external_id) "
        "SELECT respondent_id, site_id, wave_id, role_id, key FROM demo_people"
    )
    cur.unregister("demo_people")
    answers = pd.DataFrame(responses)
    answers["respondent_id"] = answers["key"].map(
        dict(zip(people["key"], people["respondent_id"], strict=True))
    )
    answers["statement_id"] = answers["statement"] + 1
    answers["score"] = answers["score"].astype("Int8")
    cur.register("demo_answers", answers[["respondent_id", "statement_id", "score"]])
    cur.execute("INSERT INTO responses SELECT respondent_id, statement_id, score FROM demo_answers")
    cur.unregister("demo_answers")
    series = pd.DataFrame(
        _indicator_rows(site_id, rng), columns=["indicator_id", "site_id", "month", "value"]
    )
    cur.register("demo_series", series)
    cur.execute(
        "INSERT INTO indicator_values (indicator_id, site_id, month, value) "
        "SELECT indicator_id, site_id, month, value FROM demo_series"
    )
    cur.unregister("demo_series")
    for measure, values in WORKFORCE.items():
        for year, value in zip(WORKFORCE_YEARS, values, strict=True):
            cur.execute(
                "INSERT INTO workforce (site_id, year, measure, value) VALUES (?, ?, ?, ?)",
                [site_id, year, measure, value],
            )


def _held_uploads(target: Path) -> int | None:
    """How many uploads the existing database records (None: it cannot be read).

    Opening it read-write takes DuckDB's own lock, so a file another process holds (the
    running dashboard) is refused here, before anything is built or replaced; closing it
    folds any write-ahead log into the file, so a copy of the file alone is complete.
    """
    try:
        con = duckdb.connect(str(target))
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(
                f"The database {target} is in use by another program (most likely the running "
                "dashboard), so it was not replaced. Stop that program and run init-demo "
                "--force again; nothing was changed."
            ) from None
        return None
    try:
        tables = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'uploads'"
        ).fetchall()[0][0]
        return con.execute("SELECT count(*) FROM uploads").fetchall()[0][0] if tables else 0
    except duckdb.Error:
        return None
    finally:
        con.close()


def _backup(target: Path) -> Path:
    """Copy ``target`` to ``<name>.bak-YYYYMMDD-HHMMSS`` beside it (never over another copy)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = target.with_name(f"{target.name}.bak-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = target.with_name(f"{target.name}.bak-{stamp}-{n}")
    shutil.copy2(target, backup)
    return backup


def init_demo(
    path: str | Path | None = None,
    *,
    force: bool = False,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    if_missing: bool = False,
    on_backup: Callable[[Path], None] | None = None,
    precompute: bool = True,
) -> Path | None:
    """Build the demo database at ``path``; return the path, or None when skipped.

    ``if_missing`` leaves an existing file alone (used by ``make run``); ``force`` replaces it,
    but never while another process holds it (:class:`DatabaseBusyError`), and a file that
    records uploads (or cannot be read) is first copied beside it; ``on_backup`` is told
    where. The new file is built beside the target and moved into place, so an interrupted
    build never leaves a half-written database behind. ``precompute=False`` skips storing
    the survey statistics (:mod:`rpgdash.results_store`; the pages then compute them on
    first view): for tests that look only at the stored rows.
    """
    from rpgdash import results_store
    from rpgdash.db import default_path

    target = Path(path) if path is not None else default_path()
    if target.exists():
        if if_missing:
            return None
        if not force:
            raise FileExistsError(
                f"{target} already exists; pass --force to replace it with the demo data."
            )
        _held_uploads(target)  # refuses early, before the build, when the file is in use
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".building")
    for leftover in (partial, Path(str(partial) + ".wal")):
        leftover.unlink(missing_ok=True)
    with open_db(partial) as db:
        build_demo(db, seed=seed, scale=scale)
        if precompute:
            results_store.precompute(db)  # statistics are computed when data are stored
    if target.exists():
        # Checked again just before the move: the dashboard may have started meanwhile.
        try:
            uploads = _held_uploads(target)
        except DatabaseBusyError:
            partial.unlink(missing_ok=True)
            raise
        if uploads is None or uploads > 0:
            backup = _backup(target)
            if on_backup is not None:
                on_backup(backup)
    Path(str(target) + ".wal").unlink(missing_ok=True)
    partial.replace(target)
    return target
