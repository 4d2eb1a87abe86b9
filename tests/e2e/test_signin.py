"""Issue 10, item 10: real OIDC sign-in in Chromium against a provider the test starts.

The dashboard runs with an [auth] section pointing at tests/oidc_provider.py on 127.0.0.1;
st.login sends the browser through the provider's authorize page, Streamlit exchanges the
code for an RS256-signed id_token (Authlib checks signature, issuer, audience and nonce),
and st.user then holds the provider's email. Nothing about st.user is patched.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from rpgdash.db import open_db
from tests.e2e.conftest import problems_on, wait_for_app
from tests.oidc_provider import oidc_provider
from tests.serving import APP, streamlit_server

LISTED = "ann.uploader@example.org"
UNLISTED = "bob.viewer@example.org"


def _secrets(path: Path, metadata_url: str, client_secret: str) -> Path:
    path.write_text(
        "[auth]\n"
        # Streamlit fills in {port} with the port it serves on.
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "rpgdash-test"\n'
        f'client_secret = "{client_secret}"\n'
        f'server_metadata_url = "{metadata_url}"\n'
        "\n[rpgdash]\n"
        f'uploaders = ["{LISTED.upper()}"]\n'
    )
    return path


def _sign_in(page: Page, email: str) -> None:
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/authorize\?"), timeout=60_000)
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    wait_for_app(page)
    # The page shows the email as text: a word joiner before "@" keeps it from becoming a link.
    shown = re.compile("^Signed in as " + re.escape(email).replace("@", "\u2060?@") + "$")
    expect(page.get_by_text(shown)).to_be_visible(timeout=60_000)


def _sign_out(page: Page) -> None:
    """Press Sign out and wait for the page the provider sends the browser back to.

    st.logout first reruns the page, which already shows "Sign in", and then sends the browser
    to the provider's logout and back: wait for that new page to load, not for the rerun.
    """
    with page.expect_event("load", timeout=60_000):
        page.get_by_role("button", name="Sign out").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)


def _nav_links(page: Page) -> list[str]:
    return page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()


def test_a_listed_user_signs_in_and_uploads_an_unlisted_one_cannot(
    demo_path: Path, tmp_path: Path, page: Page
) -> None:
    db = tmp_path / "served.duckdb"
    shutil.copy(demo_path, db)
    client_secret = secrets.token_urlsafe(24)
    with oidc_provider(
        client_id="rpgdash-test", client_secret=client_secret, redirect_uri=""
    ) as provider:
        secrets_file = _secrets(tmp_path / "secrets.toml", provider.metadata_url, client_secret)
        env = {**os.environ, "RPGDASH_DB": str(db)}
        args = [*APP, "--secrets.files", str(secrets_file)]
        with (
            (tmp_path / "streamlit.log").open("w") as log,
            streamlit_server(args, env, log) as url,
        ):
            provider.redirect_uri = f"{url}/oauth2callback"

            # Not signed in: no Upload page, a Sign in button.
            page.goto(url)
            wait_for_app(page)
            assert "Upload data" not in " ".join(_nav_links(page))
            page.goto(f"{url}/upload")
            wait_for_app(page)
            expect(page.get_by_text("Page not found")).to_be_visible()
            assert page.get_by_text("Upload data").count() == 0
            page.goto(url)
            wait_for_app(page)

            # An unlisted user signs in: still no Upload page, and a sentence why.
            _sign_in(page, UNLISTED)
            assert "Upload data" not in " ".join(_nav_links(page))
            expect(page.get_by_text("which is not on the list")).to_be_visible()
            _sign_out(page)
            assert provider.logouts == 1

            # The listed user signs in (email compared without case) and uploads.
            _sign_in(page, LISTED)
            page.locator('[data-testid="stSidebarNav"] a', has_text="Upload data").click()
            wait_for_app(page)
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                files=[
                    {
                        "name": "january.csv",
                        "mimeType": "text/csv",
                        "buffer": b"indicator,month,value\nReferrals,2019-01,321\n",
                    }
                ]
            )
            store = page.get_by_role("button", name="Store these 1 rows")
            store.wait_for(timeout=60_000)
            store.click()
            expect(page.get_by_text("Every page now shows the new data.")).to_be_visible(
                timeout=60_000
            )
            assert problems_on(page) == []

            # Signing out ends the session at the provider too; uploading is gone again.
            _sign_out(page)
            assert "Upload data" not in " ".join(_nav_links(page))
            assert provider.logouts == 2

    # A real exchange happened for each sign-in, and the upload names its uploader.
    assert provider.tokens_issued == [UNLISTED, LISTED]
    assert "POST /token" in provider.requests and "GET /jwks" in provider.requests
    with open_db(db, read_only=True) as stored, stored.cursor() as cur:
        rows = cur.execute("SELECT uploaded_by, file_name FROM uploads").fetchall()
    assert rows == [(LISTED, "january.csv")]
