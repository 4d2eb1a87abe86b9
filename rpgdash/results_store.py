"""Survey comparisons computed when the data are stored, so that a first view is a read.

``compare_waves`` and ``compare_domains`` cost 0.3-0.5 s of CPU per site (mostly the
proportional-odds fits). The stored survey data change only through an upload, a revert or
the demo builder, so those compute the results of the sites they touch, in the same
transaction, into ``survey_results`` (migration 6); ``python -m rpgdash precompute`` fills
it for files written before. Reading is honest: a stored row is used only when its
fingerprint equals the fingerprint of what the view would compute from (the answers per
level, the group sizes, the wave pair, the disclosure threshold and the statistics code),
so a stale row (a killed writer, another program's write, a newer version of the code) is
simply not used and the result is computed as before. Nothing on the view path writes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from rpgdash import queries, settings
from rpgdash.db import Database

ALL_SITES = 0  # site_id of the row for every site together


@functools.cache
def _code_version() -> str:
    """A digest of the statistics code and of this module's storage format: results stored
    by other code are not used."""
    digest = hashlib.sha256()
    here = Path(__file__)
    for path in [*sorted((here.parent / "stats").glob("*.py")), here]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def fingerprint(
    counts: tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame],
    wave_a: str,
    wave_b: str,
    min_group: int,
) -> str:
    """A digest of everything a site's comparisons are computed from."""
    groups, a, b, sizes = counts
    digest = hashlib.sha256(_code_version().encode())
    digest.update(json.dumps([wave_a, wave_b, int(min_group)]).encode())
    for column in ("domain", "role", "statement"):
        digest.update(json.dumps(groups[column].tolist()).encode())
    digest.update(np.ascontiguousarray(a, dtype=float).tobytes())
    digest.update(np.ascontiguousarray(b, dtype=float).tobytes())
    people = sorted(
        zip(
            sizes["role"].tolist(),
            sizes["wave"].tolist(),
            sizes["respondents"].tolist(),
            strict=True,
        )
    )
    digest.update(json.dumps(people).encode())
    return digest.hexdigest()


# --- frames as bytes ------------------------------------------------------------------------
# Columns of Python objects (confidence intervals as lists, flags that may be None, notes) are
# kept as JSON text, one document per column, which gives back the same floats, bools,
# strings and None exactly; typed columns go into Arrow as they are.


def to_bytes(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa

    as_json = {c: frame[c].tolist() for c in frame.columns if frame[c].dtype == object}
    typed = frame.drop(columns=list(as_json))
    table = pa.Table.from_pandas(typed, preserve_index=False)
    extra = {"columns": list(frame.columns), "objects": as_json, "rows": len(frame)}
    table = table.replace_schema_metadata(
        {**table.schema.metadata, b"rpgdash": json.dumps(extra).encode()}
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    # Compressed, a site's frames are a quarter the size, and DuckDB reads the row in 1 ms
    # rather than 6 (at --scale 100).
    return zlib.compress(sink.getvalue().to_pybytes(), 6)


def from_bytes(data: bytes) -> pd.DataFrame:
    import pyarrow as pa

    table = pa.ipc.open_stream(zlib.decompress(data)).read_all()
    extra = json.loads(table.schema.metadata[b"rpgdash"])
    typed, objects = table.to_pandas(), extra["objects"]
    index = pd.RangeIndex(extra["rows"])
    return pd.DataFrame(
        {
            c: pd.Series(objects[c], dtype=object, index=index) if c in objects else typed[c]
            for c in extra["columns"]
        },
        index=index,
    )


# --- reading (the view path) ----------------------------------------------------------------


def lookup(
    db: Database, site: str | None, wave_a: str, wave_b: str, min_group: int, print_: str
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The stored (comparisons, domain models) when their fingerprint is ``print_``."""
    with db.cursor() as cur:
        if site is None:
            site_id = ALL_SITES
        else:
            named = cur.execute("SELECT site_id FROM sites WHERE name = ?", [site]).fetchall()
            if not named:
                return None
            site_id = named[0][0]
        found = cur.execute(
            "SELECT comparisons, domain_models FROM survey_results WHERE site_id = ? "
            "AND wave_a = ? AND wave_b = ? AND min_group = ? AND fingerprint = ?",
            [site_id, wave_a, wave_b, min_group, print_],
        ).fetchall()
    if not found:
        return None
    return from_bytes(found[0][0]), from_bytes(found[0][1])


# --- writing (inside the writer's transaction) ----------------------------------------------


def _pairs(cur) -> list[tuple[str, str]]:
    """Comparable wave pairs, earlier wave first, of waves with any respondent."""
    labels = [
        r[0]
        for r in cur.execute(
            "SELECT label FROM waves w WHERE comparable "
            "AND EXISTS (SELECT 1 FROM respondents p WHERE p.wave_id = w.wave_id) "
            "ORDER BY wave_order"
        ).fetchall()
    ]
    return [(a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]]


def _compute(counts, wave_a: str, wave_b: str, min_group: int) -> tuple[bytes, bytes]:
    from rpgdash.stats import compare_level_matrix, domain_model_frame

    groups, a, b, sizes = counts
    every = dict(wave_a=wave_a, wave_b=wave_b, group_sizes=sizes, min_group=min_group)
    # A Newton run that diverges (a role answering at one level) overflows before it is
    # detected and refitted by BFGS; the numbers are the same, the command line stays quiet.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        comparisons = compare_level_matrix(groups, a, b, model=True, **every)
        models = domain_model_frame(groups, a, b, **every)
    return to_bytes(comparisons), to_bytes(models)


def refresh(cur, sites: Iterable[int] | None = None, *, views: bool = True) -> int:
    """Bring the stored results up to date inside the caller's transaction; return rows written.

    ``sites`` are the ids of sites whose answers changed (None: every site). Those sites
    and every site together are recomputed for every wave pair (a row whose fingerprint
    still matches is kept); other sites with stored rows only gain pairs they lack (their
    answers did not change). Rows of pairs or sites without respondents are deleted, so that
    the table depends only on the stored data: a revert gives back the rows held before.
    ``views`` also brings the survey pages' stored views up to date
    (:func:`rpgdash.view_store.refresh`; the ``store_views`` setting can turn that off).
    """
    min_group = int(settings.get("min_group"))
    pairs = _pairs(cur)
    cur.execute(
        "DELETE FROM survey_results WHERE site_id <> 0 "
        "AND site_id NOT IN (SELECT site_id FROM respondents)"
    )
    for wave_a, wave_b in cur.execute(
        "SELECT DISTINCT wave_a, wave_b FROM survey_results"
    ).fetchall():
        if (wave_a, wave_b) not in pairs:
            cur.execute(
                "DELETE FROM survey_results WHERE wave_a = ? AND wave_b = ?", [wave_a, wave_b]
            )
    names = dict(
        cur.execute(
            "SELECT site_id, name FROM sites WHERE site_id IN (SELECT site_id FROM respondents)"
        ).fetchall()
    )
    held = {
        (site_id, a, b): fp
        for site_id, a, b, fp in cur.execute(
            "SELECT site_id, wave_a, wave_b, fingerprint FROM survey_results WHERE min_group = ?",
            [min_group],
        ).fetchall()
    }
    changed = set(names) if sites is None else set(sites) & set(names)
    stored_sites = {site_id for site_id, _, _ in held} & set(names)
    written = 0
    for site_id in [ALL_SITES, *sorted(changed | stored_sites)]:
        for wave_a, wave_b in pairs:
            key = (site_id, wave_a, wave_b)
            if site_id not in changed and site_id != ALL_SITES and key in held:
                continue
            counts = queries.paired_level_counts_in(
                cur, wave_a=wave_a, wave_b=wave_b, site=names.get(site_id)
            )
            print_ = fingerprint(counts, wave_a, wave_b, min_group)
            if held.get(key) == print_:
                continue
            comparisons, models = _compute(counts, wave_a, wave_b, min_group)
            cur.execute(
                "DELETE FROM survey_results WHERE site_id = ? AND wave_a = ? AND wave_b = ? "
                "AND min_group = ?",
                [site_id, wave_a, wave_b, min_group],
            )
            cur.execute(
                "INSERT INTO survey_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                [site_id, wave_a, wave_b, min_group, print_, comparisons, models],
            )
            written += 1
    if views and settings.get("store_views"):
        from rpgdash import view_store

        view_store.refresh(cur)  # the pages' views of what was just stored, same transaction
    return written


def sites_of_upload(cur, upload_id: int) -> list[int]:
    """Sites whose respondents an upload stored (read before a revert deletes them)."""
    return [
        r[0]
        for r in cur.execute(
            "SELECT DISTINCT site_id FROM respondents WHERE upload_id = ?", [upload_id]
        ).fetchall()
    ]


def precompute(db: Database) -> int:
    """Compute and store every site's results (for files written before migration 6)."""
    with db.transaction() as cur:
        return refresh(cur, None)


# --- `python -m rpgdash precompute` ---------------------------------------------------------

PRECOMPUTE_HELP = "store every site's survey comparisons, so that first views are reads"


def add_parser(sub) -> None:
    """Add the ``precompute`` command to the ``python -m rpgdash`` subparsers."""
    parser = sub.add_parser(
        "precompute",
        help=PRECOMPUTE_HELP,
        description="Compute every site's survey comparisons (every role, statement and "
        "comparable wave pair) and store them in the database, in one transaction. Uploads "
        "and init-demo do this themselves; run it once for a file written by an older "
        "version, or after changing the disclosure threshold (RPGDASH_MIN_GROUP).",
    )
    parser.add_argument("--db", help="database file (default: RPGDASH_DB or data/rpgdash.duckdb)")
    parser.set_defaults(func=_cmd_precompute)


def _cmd_precompute(args) -> int:
    from rpgdash.db import open_db

    with open_db(args.db) as db:
        written = precompute(db)
        with db.cursor() as cur:
            held = cur.execute("SELECT count(*) FROM survey_results").fetchall()[0][0]
    print(
        f"Stored survey results in {db.path}: {written} computed, "
        f"{held - written} already up to date."
    )
    return 0
