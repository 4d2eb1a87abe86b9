"""CSV downloads that spreadsheets open safely.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can run as a
formula when the CSV is opened in Excel ("CSV injection"). Such cells get a leading apostrophe,
which Excel shows as text. Numeric columns are left as numbers (``-3`` stays ``-3``). The file
is UTF-8 with a byte order mark so that Excel reads accents and pound signs correctly.
"""

from __future__ import annotations

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^[=+\-@\t\r]"


def neutralise(text: str) -> str:
    """One text cell, made safe for a spreadsheet."""
    return "'" + text if text.startswith(_TRIGGERS) else text


def to_safe_csv(df: pd.DataFrame) -> bytes:
    """``df`` as CSV bytes (UTF-8 with BOM, no index), with formula-like text neutralised."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series) and not pd.api.types.is_object_dtype(series):
            risky = series.str.contains(_TRIGGER_PATTERN, regex=True, na=False)
            out[column] = series.where(~risky, "'" + series)
        elif pd.api.types.is_object_dtype(series):
            # Mixed columns: only real strings are text; numbers in them stay numbers.
            out[column] = series.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    out.columns = [neutralise(str(c)) for c in out.columns]
    # CRLF rows (as Excel writes them) also make the writer quote cells holding a line break.
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
