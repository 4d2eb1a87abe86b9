"""Who may change stored data: one pure decision, and a thin reader of the running app's state.

Every write the dashboard offers (uploads, reverts, improvement directions, note edits) is
behind :func:`current_upload_access`:

- ``RPGDASH_READ_ONLY=1``: nobody; the Upload page is not offered at all.
- No secrets at all (no ``.streamlit/secrets.toml``, or one without ``[auth]`` and
  ``[rpgdash]``): a single-user or demo installation. Anyone who can reach the app may
  upload, and the page says so; stored notes are edited by signed-in uploaders only, so
  they cannot be changed here.
- Sign-in configured: Streamlit's OIDC sign-in (``st.login``) with an ``[auth]`` section::

      [auth]
      redirect_uri = "https://dashboard.example.org/oauth2callback"
      cookie_secret = "a long random string"
      client_id = "..."
      client_secret = "..."
      server_metadata_url = "https://login.example.org/.well-known/openid-configuration"

      [rpgdash]
      uploaders = ["data.team@example.org"]

  (or one named provider, ``[auth.name]`` holding the last three keys). Only signed-in
  users whose email is in ``uploaders`` (compared without regard to case) may write.
- Anything incomplete fails closed, with a sentence saying what is missing: ``[rpgdash]``
  without ``[auth]``, a missing key, a redirect URI that does not end in
  ``/oauth2callback``, an empty ``uploaders`` list, Authlib not installed, an unreadable
  secrets file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rpgdash import settings

#: Keys Streamlit's st.login needs in [auth] and in the provider's section.
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class UploadAccess:
    allowed: bool
    show_in_navigation: bool
    message: str
    #: Whether a "Sign in" button is offered (sign-in is ready and nobody is signed in).
    sign_in: bool = False
    #: The signed-in user's email, when someone is signed in.
    user_email: str | None = None
    #: The provider name to pass to st.login ("default" for keys directly in [auth]).
    provider: str = "default"

    @property
    def can_edit_notes(self) -> bool:
        """Stored findings are changed only by a signed-in, listed uploader."""
        return self.allowed and self.user_email is not None


@dataclass(frozen=True)
class SignInConfig:
    """What the secrets say about sign-in: whether it is set up, and what is wrong if not."""

    configured: bool
    problem: str | None
    provider: str = "default"
    uploaders: tuple[str, ...] = ()


def read_sign_in_config(secrets: Mapping, *, authlib_installed: bool) -> SignInConfig:
    """Check the ``[auth]`` and ``[rpgdash]`` sections of the secrets (pure; fails closed)."""
    auth = secrets.get("auth")
    section = secrets.get("rpgdash")
    if auth is None and section is None:
        return SignInConfig(configured=False, problem=None)
    off = "Uploading is switched off because "
    if auth is None:
        return SignInConfig(
            True,
            off + "the secrets list who may upload ([rpgdash]) but sign-in is not set up (no "
            "[auth] section), so nobody can be recognised. Ask the dashboard's administrator "
            "to add the [auth] section.",
        )
    missing = [k for k in AUTH_KEYS if not str(auth.get(k, "")).strip()]
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and k != "client_kwargs"]
    if any(k in auth for k in PROVIDER_KEYS) or not named:
        provider, provider_section, where = "default", auth, "[auth]"
    elif len(named) == 1:
        provider, provider_section, where = named[0], auth[named[0]], f"[auth.{named[0]}]"
    else:
        return SignInConfig(
            True,
            off + f"several sign-in providers are set up ({', '.join(sorted(named))}); this "
            "dashboard signs in with one. Keep one [auth.NAME] section, or put its keys in "
            "[auth].",
        )
    missing += [
        f"{k} in {where}" for k in PROVIDER_KEYS if not str(provider_section.get(k, "")).strip()
    ]
    if missing:
        return SignInConfig(
            True, off + "the sign-in settings are incomplete: " + ", ".join(missing) + " missing."
        )
    if not str(auth["redirect_uri"]).rstrip().endswith("/oauth2callback"):
        return SignInConfig(
            True, off + "the sign-in redirect_uri in [auth] must end with /oauth2callback."
        )
    if "_" in provider:
        return SignInConfig(
            True, off + f"the sign-in provider name {provider!r} has an underscore."
        )
    if not authlib_installed:
        return SignInConfig(
            True, off + "sign-in needs the Authlib package, which is not installed (make run)."
        )
    raw = (section or {}).get("uploaders", [])
    uploaders = (raw,) if isinstance(raw, str) else tuple(str(u) for u in raw)
    uploaders = tuple(u for u in uploaders if u.strip())
    if not uploaders:
        return SignInConfig(
            True,
            off + "nobody is listed as an uploader. Add the email addresses of the people "
            "who may upload to uploaders in the [rpgdash] section.",
            provider,
        )
    return SignInConfig(True, None, provider, uploaders)


def decide_upload_access(
    *,
    read_only: bool,
    auth_configured: bool,
    is_logged_in: bool,
    user_email: str | None,
    uploaders: Sequence[str],
    config_problem: str | None = None,
    provider: str = "default",
) -> UploadAccess:
    """Whether the current visitor may upload, whether to list the page, and what to tell them."""
    if read_only:
        return UploadAccess(
            False,
            False,
            "Uploading is switched off on this dashboard (RPGDASH_READ_ONLY is set); the data "
            "can be viewed but not changed here.",
        )
    if config_problem is not None:
        return UploadAccess(False, False, config_problem)
    if not auth_configured:
        return UploadAccess(
            True,
            True,
            "Sign-in is not set up for this dashboard, so anyone who can reach it can upload "
            "data and revert uploads.",
        )
    if not is_logged_in or not user_email:
        return UploadAccess(
            False, False, "Sign in to upload data.", sign_in=True, provider=provider
        )
    allowed = {u.strip().casefold() for u in uploaders}
    if user_email.strip().casefold() in allowed:
        return UploadAccess(
            True,
            True,
            f"Signed in as {user_email}; you may upload data.",
            user_email=user_email,
            provider=provider,
        )
    return UploadAccess(
        False,
        False,
        f"You are signed in as {user_email}, which is not on the list of people who may "
        "upload data. Ask whoever runs the dashboard to add you to 'uploaders'.",
        user_email=user_email,
        provider=provider,
    )


def secrets_file_exists() -> bool:
    """Whether any of the files Streamlit reads secrets from is present."""
    from streamlit import config

    return any(Path(p).expanduser().exists() for p in config.get_option("secrets.files"))


_UNREADABLE = UploadAccess(
    allowed=False,
    show_in_navigation=False,
    message="Uploading is switched off because the sign-in settings "
    "(.streamlit/secrets.toml) could not be read. Ask the dashboard's "
    "administrator to correct that file.",
)


def current_upload_access() -> UploadAccess:
    """:func:`decide_upload_access` for the visitor of the running Streamlit app."""
    import streamlit as st
    from streamlit.auth_util import is_authlib_installed

    read_only = settings.get("read_only")
    try:
        secrets = {k: st.secrets[k] for k in ("auth", "rpgdash") if k in st.secrets}
    except Exception:
        if secrets_file_exists():
            return _UNREADABLE  # a configuration exists but cannot be read: fail closed
        secrets = {}  # no secrets file: uploads are open
    try:
        config = read_sign_in_config(secrets, authlib_installed=is_authlib_installed())
    except (AttributeError, TypeError, ValueError):  # e.g. uploaders = 3, [auth] = "x"
        return _UNREADABLE
    is_logged_in = bool(st.user.get("is_logged_in", False)) if config.configured else False
    email = st.user.get("email") if is_logged_in else None
    return decide_upload_access(
        read_only=read_only,
        auth_configured=config.configured,
        is_logged_in=is_logged_in,
        user_email=email,
        uploaders=config.uploaders,
        config_problem=config.problem,
        provider=config.provider,
    )
