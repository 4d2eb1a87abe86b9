"""Who may upload: every branch of the one decision function."""

from __future__ import annotations

import pytest

from rpgdash.access import UploadAccess, decide_upload_access


def decide(**overrides) -> UploadAccess:
    args = dict(
        read_only=False,
        auth_configured=True,
        is_logged_in=True,
        user_email="a@example.org",
        uploaders=["A@Example.org"],
    )
    args.update(overrides)
    return decide_upload_access(**args)


def test_listed_uploader_may_upload_case_insensitively():
    access = decide()
    assert (access.allowed, access.show_in_navigation) == (True, True)
    assert access.message == "Signed in as a@example.org; you may upload data."


def test_signed_in_user_not_listed_is_refused_and_page_hidden():
    access = decide(user_email="b@example.org")
    assert (access.allowed, access.show_in_navigation) == (False, False)
    assert access.message == (
        "You are signed in as b@example.org, which is not on the list of people who may "
        "upload data. Ask whoever runs the dashboard to add you to 'uploaders'."
    )


@pytest.mark.parametrize(
    "logged_in, email", [(False, None), (False, "a@example.org"), (True, None)]
)
def test_not_signed_in_is_refused(logged_in, email):
    access = decide(is_logged_in=logged_in, user_email=email)
    assert access == UploadAccess(False, False, "Sign in to upload data.", sign_in=True)


def test_without_auth_anyone_may_upload_and_is_told_so():
    access = decide(auth_configured=False, is_logged_in=False, user_email=None, uploaders=[])
    assert (access.allowed, access.show_in_navigation) == (True, True)
    assert "anyone who can reach it can upload" in access.message


@pytest.mark.parametrize("auth", [True, False])
def test_read_only_removes_uploading_for_everyone(auth):
    access = decide(read_only=True, auth_configured=auth)
    assert (access.allowed, access.show_in_navigation) == (False, False)
    assert access.message.startswith("Uploading is switched off on this dashboard")


def test_empty_uploaders_list_allows_nobody():
    assert not decide(uploaders=[]).allowed


def test_current_upload_access_reads_settings(monkeypatch):
    from rpgdash.access import current_upload_access

    monkeypatch.setenv("RPGDASH_READ_ONLY", "1")
    assert current_upload_access().allowed is False
    monkeypatch.setenv("RPGDASH_READ_ONLY", "0")
    # No secrets.toml in the test environment: open uploads.
    assert current_upload_access().allowed is True


def test_an_unreadable_secrets_file_closes_uploads(monkeypatch, tmp_path):
    from streamlit import config

    from rpgdash import access

    broken = tmp_path / "secrets.toml"
    broken.write_text("[auth\nredirect_uri = ")  # not valid TOML
    original = config.get_option
    monkeypatch.setattr(
        config,
        "get_option",
        lambda key: [str(broken)] if key == "secrets.files" else original(key),
    )
    monkeypatch.setenv("RPGDASH_READ_ONLY", "0")
    import streamlit as st

    monkeypatch.setattr(type(st.secrets), "__contains__", _raise_secret_error)
    decision = access.current_upload_access()
    assert decision.allowed is False and decision.show_in_navigation is False
    assert "could not be read" in decision.message


def _raise_secret_error(self, key):
    raise FileNotFoundError("secrets could not be parsed")
