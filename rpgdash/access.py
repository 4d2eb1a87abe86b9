"""Who may upload data: one pure decision, and a thin reader of the running app's state.

- ``RPGDASH_READ_ONLY=1``: nobody; the Upload page is not offered at all.
- No ``[auth]`` section in ``.streamlit/secrets.toml``: anyone who can reach the app may upload,
  and the page says so.
- With ``[auth]``: only signed-in users whose email is in the ``uploaders`` list of the
  ``[rpgdash]`` section (compared without regard to case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rpgdash import settings


@dataclass(frozen=True)
class UploadAccess:
    allowed: bool
    show_in_navigation: bool
    message: str


def decide_upload_access(
    *,
    read_only: bool,
    auth_configured: bool,
    is_logged_in: bool,
    user_email: str | None,
    uploaders: Sequence[str],
) -> UploadAccess:
    """Whether the current visitor may upload, whether to list the page, and what to tell them."""
    if read_only:
        return UploadAccess(
            False,
            False,
            "Uploading is switched off on this dashboard (RPGDASH_READ_ONLY is set); the data "
            "can be viewed but not changed here.",
        )
    if not auth_configured:
        return UploadAccess(
            True,
            True,
            "Sign-in is not set up for this dashboard, so anyone who can reach it can upload "
            "data and revert uploads.",
        )
    if not is_logged_in or not user_email:
        return UploadAccess(False, False, "Sign in to upload data.")
    allowed = {u.strip().casefold() for u in uploaders}
    if user_email.strip().casefold() in allowed:
        return UploadAccess(True, True, f"Signed in as {user_email}; you may upload data.")
    return UploadAccess(
        False,
        False,
        f"You are signed in as {user_email}, which is not on the list of people who may "
        "upload data. Ask whoever runs the dashboard to add you to 'uploaders'.",
    )


def secrets_file_exists() -> bool:
    """Whether any of the files Streamlit reads secrets from is present."""
    from streamlit import config

    return any(Path(p).expanduser().exists() for p in config.get_option("secrets.files"))


def current_upload_access() -> UploadAccess:
    """:func:`decide_upload_access` for the visitor of the running Streamlit app."""
    import streamlit as st

    read_only = settings.get("read_only")
    try:
        auth_configured = "auth" in st.secrets
        section = st.secrets.get("rpgdash", {}) if auth_configured else {}
        uploaders = list(section.get("uploaders", []))
    except Exception:
        if secrets_file_exists():
            # A sign-in configuration exists but cannot be read: fail closed, never open.
            return UploadAccess(
                allowed=False,
                show_in_navigation=False,
                message="Uploading is switched off because the sign-in settings "
                "(.streamlit/secrets.toml) could not be read. Ask the dashboard's "
                "administrator to correct that file.",
            )
        auth_configured, uploaders = False, []  # no secrets file: uploads are open
    is_logged_in = bool(st.user.get("is_logged_in", False)) if auth_configured else False
    email = st.user.get("email") if is_logged_in else None
    return decide_upload_access(
        read_only=read_only,
        auth_configured=auth_configured,
        is_logged_in=is_logged_in,
        user_email=email,
        uploaders=uploaders,
    )
