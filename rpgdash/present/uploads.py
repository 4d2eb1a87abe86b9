"""The upload history as people read it: "Uploaded", "By", "Checksum (SHA-256)", dates in words.

Built from :func:`rpgdash.queries.upload_history`; the Upload page shows it, and any other
place that lists uploads should use :func:`history_table` and :func:`upload_label` too.
"""

from __future__ import annotations

import pandas as pd

from rpgdash.present import format as fmt

STATUS_WORDS = {"stored": "Stored", "reverted": "Reverted"}


def kind_words(kind: str) -> str:
    """ "Monthly indicator series" for ``indicators`` (the upload kinds' own labels)."""
    from rpgdash.ingest.kinds import KINDS  # the registry of upload kinds

    spec = KINDS.get(kind)
    return spec.label if spec is not None else fmt.human_header(kind)


def status_words(status: str, reverted_at: object) -> str:
    """ "Stored", or "Reverted on 2 Jan 2026, 10:15"."""
    words = STATUS_WORDS.get(status, fmt.human_header(status))
    return words if fmt.is_missing(reverted_at) else f"{words} on {fmt.timestamp(reverted_at)}"


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """Every upload, newest first, as text cells under readable headers."""
    return pd.DataFrame(
        {
            "Upload": history["upload_id"].astype(int),
            "Uploaded": [fmt.timestamp(t) for t in history["uploaded_at"]],
            "By": [fmt.text(b) for b in history["uploaded_by"]],
            "Data": [kind_words(k) for k in history["kind"]],
            "File": [fmt.text(f) for f in history["file_name"]],
            "Rows added": [fmt.count(v) for v in history["rows_added"]],
            "Values changed": [fmt.count(v) for v in history["rows_changed"]],
            "Unchanged": [fmt.count(v) for v in history["rows_unchanged"]],
            "Missing values": [fmt.count(v) for v in history["rows_missing"]],
            "Status": [
                status_words(s, r)
                for s, r in zip(history["status"], history["reverted_at"], strict=True)
            ],
            "Encoding": [fmt.text(e) for e in history["encoding"]],
            "Checksum (SHA-256)": [fmt.text(c) for c in history["sha256"]],
        }
    )


def upload_label(upload_id: int, file_name: str, uploaded_at: object) -> str:
    """ "3: referrals.csv (2 Jan 2026)" for a choice of upload (plain text, not Markdown)."""
    return f"{upload_id}: {file_name} ({fmt.date(uploaded_at)})"
