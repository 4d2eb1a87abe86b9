"""CSV exports neutralise formula injection and stay readable by Excel."""

from __future__ import annotations

import io

import pandas as pd

from rpgdash.ingest.safe_csv import neutralise, to_safe_csv


def test_text_cells_that_could_run_as_formulas_get_an_apostrophe():
    frame = pd.DataFrame(
        {
            "text": [
                '=HYPERLINK("x")',
                "+1 year",
                "-x",
                "@SUM(A1)",
                "\tTab",
                "\rCR",
                "plain",
                None,
            ],
            "count": [-3, 1, 2, 3, 4, 5, 6, 7],
            "rate": [-1.5, 0.5, None, 1.0, 2.0, 3.0, 4.0, 5.0],
            "mixed": pd.Series(["=1", -3, "ok", None, 2.5, "x", "-y", "@"], dtype=object),
        }
    )
    data = to_safe_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(back["text"]) == [
        '\'=HYPERLINK("x")',
        "'+1 year",
        "'-x",
        "'@SUM(A1)",
        "'\tTab",
        "'\rCR",
        "plain",
        "",
    ]
    assert list(back["count"]) == ["-3", "1", "2", "3", "4", "5", "6", "7"]
    assert back["rate"][0] == "-1.5"
    assert list(back["mixed"]) == ["'=1", "-3", "ok", "", "2.5", "x", "'-y", "'@"]


def test_header_and_pound_signs_survive():
    data = to_safe_csv(pd.DataFrame({"Coût £": ["é"], "=bad": [1]}))
    assert data.decode("utf-8-sig") == "Coût £,'=bad\r\né,1\r\n"


def test_neutralise_leaves_safe_text_alone():
    assert neutralise("Referrals") == "Referrals"
    assert neutralise("=1") == "'=1"
