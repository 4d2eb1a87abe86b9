"""Issue 10, items 10 and 11: sign-in settings fail closed; notes need a signed-in uploader."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from rpgdash.access import read_sign_in_config
from tests.conftest import ROOT

COMPLETE = {
    "auth": {
        "redirect_uri": "https://dash.example.org/oauth2callback",
        "cookie_secret": "x" * 40,
        "client_id": "id",
        "client_secret": "secret",
        "server_metadata_url": "https://login.example.org/.well-known/openid-configuration",
    },
    "rpgdash": {"uploaders": ["a@example.org"]},
}


def _without(section: str, key: str) -> dict:
    secrets = {k: dict(v) for k, v in COMPLETE.items()}
    del secrets[section][key]
    return secrets


def test_complete_configuration_signs_in_with_the_default_provider() -> None:
    config = read_sign_in_config(COMPLETE, authlib_installed=True)
    assert (config.configured, config.problem, config.provider) == (True, None, "default")
    assert config.uploaders == ("a@example.org",)


def test_no_secrets_means_no_sign_in_and_no_problem() -> None:
    config = read_sign_in_config({}, authlib_installed=False)
    assert (config.configured, config.problem) == (False, None)


@pytest.mark.parametrize(
    ("secrets", "authlib", "words"),
    [
        ({"rpgdash": {"uploaders": ["a@example.org"]}}, True, "no [auth] section"),
        (_without("auth", "cookie_secret"), True, "cookie_secret missing"),
        (_without("auth", "redirect_uri"), True, "redirect_uri missing"),
        (_without("auth", "client_secret"), True, "client_secret in [auth] missing"),
        (_without("auth", "server_metadata_url"), True, "server_metadata_url in [auth]"),
        (_without("rpgdash", "uploaders"), True, "nobody is listed"),
        ({"auth": COMPLETE["auth"]}, True, "nobody is listed"),
        (COMPLETE, False, "Authlib"),
        (
            {**COMPLETE, "auth": {**COMPLETE["auth"], "redirect_uri": "https://x.org/"}},
            True,
            "must end with /oauth2callback",
        ),
    ],
)
def test_any_incomplete_configuration_switches_uploading_off(secrets, authlib, words) -> None:
    config = read_sign_in_config(secrets, authlib_installed=authlib)
    assert config.configured and config.problem is not None
    assert config.problem.startswith("Uploading is switched off because")
    assert words in config.problem


def test_one_named_provider_is_used_and_two_are_refused() -> None:
    provider = {
        k: COMPLETE["auth"][k] for k in ("client_id", "client_secret", "server_metadata_url")
    }
    base = {"redirect_uri": COMPLETE["auth"]["redirect_uri"], "cookie_secret": "x" * 40}
    one = {"auth": {**base, "microsoft": provider}, "rpgdash": COMPLETE["rpgdash"]}
    assert read_sign_in_config(one, authlib_installed=True).provider == "microsoft"
    two = {"auth": {**base, "microsoft": provider, "google": provider}}
    assert "several sign-in providers" in read_sign_in_config(two, authlib_installed=True).problem


def _secrets_app(tmp_path, monkeypatch, text: str | None) -> AppTest:
    """The app reading secrets from a file of ``text`` only (None: no secrets file at all).

    Streamlit's secrets object forgets what it read, and reads the patched ``secrets.files``;
    both are restored after the test, so no other test sees these secrets.
    """
    from streamlit import config
    from streamlit.runtime.secrets import secrets_singleton

    files = []
    if text is not None:
        path = tmp_path / "secrets.toml"
        path.write_text(text)
        files = [str(path)]
    original = config.get_option
    monkeypatch.setattr(
        config, "get_option", lambda key: files if key == "secrets.files" else original(key)
    )
    monkeypatch.setattr(secrets_singleton, "_secrets", None)
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)


def test_uploaders_without_auth_switch_uploading_off_with_a_sentence(
    app_env, tmp_path, monkeypatch
) -> None:
    at = _secrets_app(tmp_path, monkeypatch, '[rpgdash]\nuploaders = ["a@example.org"]\n')
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/upload.py")  # the Upload page is not offered
    shown = [re.sub(r"\\(.)", r"\1", c.value) for c in at.sidebar.caption]
    assert any("sign-in is not set up (no [auth] section)" in c for c in shown), shown


def test_edit_this_note_is_only_for_signed_in_uploaders(app_env, tmp_path, monkeypatch) -> None:
    """Without sign-in (open uploads), nobody edits the stored findings."""
    at = _secrets_app(tmp_path, monkeypatch, None)
    at.run()
    at.switch_page("pages/workforce.py").run()
    assert not at.exception
    assert at.markdown and not [e for e in at.expander if "Edit this note" in e.label]
    assert not at.get("form")
