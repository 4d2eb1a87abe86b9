"""Survey results stored when the data are stored: the same numbers, never stale."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

import rpgdash
from rpgdash import api, queries, results_store
from rpgdash.cli import main
from rpgdash.db import open_db, table_checksums
from rpgdash.demo import init_demo
from rpgdash.ingest import WaveDetails, commit, parse_upload, preview, revert
from tests.test_api import three_waves  # noqa: F401  (fixture: the demo with a third wave)


def _store_rows(db) -> list[tuple]:
    with db.cursor() as cur:
        return cur.execute(
            "SELECT site_id, wave_a, wave_b, min_group, fingerprint, comparisons, domain_models "
            "FROM survey_results ORDER BY ALL"
        ).fetchall()


def _computed(db, monkeypatch, **where) -> tuple[pd.DataFrame, pd.DataFrame]:
    """compare_waves and compare_domains with the store out of the way (computed as before)."""
    with monkeypatch.context() as patch:
        patch.setattr(results_store, "lookup", lambda *args: None)
        api.clear_results()
        return rpgdash.compare_waves(db, **where), rpgdash.compare_domains(db, **where)


def _stored(db, monkeypatch, **where) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same calls, which must be answered from the store without computing anything."""
    computed = []
    with monkeypatch.context() as patch:
        for name in ("compare_level_matrix", "domain_model_frame"):
            engine = getattr(api, name)
            patch.setattr(api, name, lambda *a, _e=engine, **k: computed.append(1) or _e(*a, **k))
        api.clear_results()
        found = rpgdash.compare_waves(db, **where), rpgdash.compare_domains(db, **where)
    assert not computed, f"computed instead of read: {where}"
    return found


def _assert_store_is_current(db, monkeypatch) -> int:
    """Every stored site and pair reads back exactly what computing gives; returns how many."""
    sites = queries.sites(db)
    names = {0: None, **dict(zip(sites["site_id"], sites["name"], strict=True))}
    rows = {(r[0], r[1], r[2]) for r in _store_rows(db)}
    for site_id, wave_a, wave_b in rows:
        where = {"site": names[site_id], "waves": (wave_a, wave_b)}
        stored, computed = _stored(db, monkeypatch, **where), _computed(db, monkeypatch, **where)
        for got, expected in zip(stored, computed, strict=True):
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
    return len(rows)


def test_stored_results_equal_computed_ones_for_every_role_site_and_pair(
    three_waves: Path,  # noqa: F811
    monkeypatch,
    tmp_path: Path,
) -> None:
    path = tmp_path / "waves.duckdb"
    shutil.copy(three_waves, path)
    with open_db(path) as db:
        results_store.precompute(db)
    pairs = [("+1 year", "+3 years"), ("+1 year", "+5 years"), ("+3 years", "+5 years")]
    checked = 0
    with open_db(path, read_only=True) as db:
        roles = ["All roles", *queries.roles(db)]
        sites = [None, *queries.site_names(db)]
        assert len(_store_rows(db)) == len(sites) * len(pairs)
        for site in sites:
            for pair in pairs:
                stored, stored_models = _stored(db, monkeypatch, site=site, waves=pair)
                computed, computed_models = _computed(db, monkeypatch, site=site, waves=pair)
                pd.testing.assert_frame_equal(
                    stored_models, computed_models, check_exact=False, rtol=1e-12
                )
                for role in roles:
                    pd.testing.assert_frame_equal(
                        stored[stored["role"] == role].reset_index(drop=True),
                        computed[computed["role"] == role].reset_index(drop=True),
                        check_exact=False,
                        rtol=1e-12,
                    )
                checked += stored["wave_odds_ratio"].notna().sum()
    assert checked > 50  # models were compared, not only blanks


def test_the_demo_is_built_with_its_results_stored(demo_db, monkeypatch) -> None:
    # One site, one wave pair: that site's row and the row of every site together.
    assert _assert_store_is_current(demo_db, monkeypatch) == 2


def _survey_file(db) -> bytes:
    """Six new respondents at the demo site in the +3 years wave, everyone agreeing strongly."""
    statements = queries.statements(db)["text"].tolist()
    lines = ["respondent_id,role,statement,answer"]
    for person in range(6):
        lines += [f'NEW{person},Social worker,"{text}",4' for text in statements]
    return ("\n".join(lines) + "\n").encode()


def _upload(db, data: bytes):
    parsed = parse_upload(db, data, "extra.csv", "survey", wave=WaveDetails("+3 years"))
    return commit(db, preview(db, parsed))


def test_an_upload_stores_fresh_results_and_its_revert_restores_the_old_ones(
    writable_demo: Path, monkeypatch
) -> None:
    with open_db(writable_demo) as db:
        before = _store_rows(db)
        result = _upload(db, _survey_file(db))
        after = _store_rows(db)
        assert len(after) == len(before) == 2
        assert {r[4] for r in after}.isdisjoint({r[4] for r in before})  # both rows changed
        assert _assert_store_is_current(db, monkeypatch) == 2
        revert(db, result.upload_id)
        assert _store_rows(db) == before
        assert _assert_store_is_current(db, monkeypatch) == 2


def test_a_write_outside_the_upload_path_leaves_stale_rows_unused(
    writable_demo: Path, monkeypatch
) -> None:
    with open_db(writable_demo) as db:
        stored = _stored(db, monkeypatch)
        with open_db(writable_demo) as other, other.transaction() as cur:
            cur.execute("UPDATE responses SET score = 4 WHERE score = 1")
        computed = []
        engine = api.compare_level_matrix
        monkeypatch.setattr(
            api, "compare_level_matrix", lambda *a, **k: computed.append(1) or engine(*a, **k)
        )
        api.clear_results()
        fresh = rpgdash.compare_waves(db)
        monkeypatch.undo()
        assert computed == [1]  # the stored row no longer matches the data, so it is not read
        assert not fresh["pct_agree_b"].equals(stored[0]["pct_agree_b"])
        pd.testing.assert_frame_equal(fresh, _computed(db, monkeypatch)[0], check_exact=True)


def test_a_failed_upload_leaves_the_store_as_it_was(writable_demo: Path, monkeypatch) -> None:
    from rpgdash.ingest.kinds import survey

    refreshed = []
    refresh = results_store.refresh

    def refresh_then_fail(cur, sites):
        refreshed.append(refresh(cur, sites))
        raise RuntimeError("killed after the results were written")

    monkeypatch.setattr(survey.results_store, "refresh", refresh_then_fail)
    with open_db(writable_demo) as db:
        before = table_checksums(db)
        with pytest.raises(RuntimeError, match="killed"):
            _upload(db, _survey_file(db))
        assert refreshed == [2]  # the new rows were written, then rolled back with the rest
        assert table_checksums(db) == before


def test_precompute_fills_the_store_of_an_older_file(tmp_path: Path, capsys) -> None:
    path = init_demo(tmp_path / "old.duckdb", scale=2)
    with open_db(path) as db:
        expected = _store_rows(db)
        with db.transaction() as cur:
            cur.execute("DELETE FROM survey_results")
    assert main(["precompute", "--db", str(path)]) == 0
    assert "3 computed, 0 already up to date" in capsys.readouterr().out
    with open_db(path) as db:
        assert _store_rows(db) == expected
    assert main(["precompute", "--db", str(path)]) == 0
    assert "0 computed, 3 already up to date" in capsys.readouterr().out


def test_results_stored_by_other_statistics_code_are_not_used(demo_db, monkeypatch) -> None:
    computed = []
    engine = api.compare_level_matrix
    monkeypatch.setattr(
        api, "compare_level_matrix", lambda *a, **k: computed.append(1) or engine(*a, **k)
    )
    monkeypatch.setattr(results_store, "_code_version", lambda: "another version of the code")
    api.clear_results()
    rpgdash.compare_waves(demo_db)
    assert computed == [1]


_KILLED_UPLOAD = """
import sys
from rpgdash import results_store
from rpgdash.db import open_db
from rpgdash.ingest.kinds import survey
from tests.test_results_store import _survey_file, _upload

refresh = results_store.refresh

def refresh_then_wait(cur, sites):
    written = refresh(cur, sites)
    print("refreshed", written, flush=True)
    sys.stdin.readline()  # killed here, inside the upload's transaction
    return written

survey.results_store.refresh = refresh_then_wait
with open_db(sys.argv[1]) as db:
    _upload(db, _survey_file(db))
"""


def test_a_killed_upload_leaves_no_results_behind(writable_demo: Path) -> None:
    import signal
    import subprocess
    import sys

    with open_db(writable_demo) as db:
        before = table_checksums(db)
    root = Path(__file__).resolve().parents[1]
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_UPLOAD, str(writable_demo)],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().split() == ["refreshed", "2"]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    with open_db(writable_demo) as db:
        assert table_checksums(db) == before
