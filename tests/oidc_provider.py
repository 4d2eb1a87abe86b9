"""A minimal OpenID Connect provider on 127.0.0.1 for the sign-in browser test.

It implements the authorization-code flow as a real provider does (OpenID Connect Core 1.0,
section 3.1; PKCE, RFC 7636): a discovery document, an authorize endpoint that shows a
sign-in form and redirects back with a one-time code, a token endpoint that checks the
client's secret, the redirect URI and the PKCE verifier and returns an RS256-signed id_token
(signed with joserfc, which Authlib itself uses), the JSON Web Key Set, and an
end-session endpoint. Every request it receives is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(
            2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"}
        )
    )
    codes: dict[str, dict] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    tokens_issued: list[str] = field(default_factory=list)
    logouts: int = 0

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def id_token(self, email: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": hashlib.sha256(email.encode()).hexdigest()[:16],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 600,
            "email": email,
            "email_verified": True,
            "name": email.split("@")[0].title(),
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            return

        def _send(self, status: int, body: bytes, content_type: str, headers=()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: dict) -> None:
            self._send(status, json.dumps(data).encode(), "application/json")

        def _redirect(self, location: str) -> None:
            self._send(302, b"", "text/plain", [("Location", location)])

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            return {k: v[0] for k, v in parse_qs(body).items()}

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            provider.requests.append(f"GET {url.path}")
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.metadata())
            elif url.path == "/jwks":
                self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                self._authorize(query)
            elif url.path == "/logout":
                provider.logouts += 1
                self._redirect(query.get("post_logout_redirect_uri") or "/")
            else:
                self._json(404, {"error": "not_found"})

        def _authorize(self, query: dict[str, str]) -> None:
            if query.get("client_id") != provider.client_id:
                self._json(400, {"error": "unauthorized_client"})
                return
            if query.get("redirect_uri") != provider.redirect_uri:
                self._json(400, {"error": "invalid_request", "error_description": "redirect_uri"})
                return
            if query.get("response_type") != "code" or "openid" not in query.get("scope", ""):
                self._json(400, {"error": "invalid_request"})
                return
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                for k, v in query.items()
            )
            page = (
                "<!doctype html><html lang='en'><title>Test sign-in</title><body>"
                "<h1>Test identity provider</h1><form method='post' action='/approve'>"
                f"{hidden}<label>Email <input name='email' type='email'></label>"
                "<button type='submit'>Continue</button></form></body></html>"
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            url = urlparse(self.path)
            provider.requests.append(f"POST {url.path}")
            form = self._form()
            if url.path == "/approve":
                code = secrets.token_urlsafe(24)
                provider.codes[code] = form
                back = {"code": code}
                if form.get("state"):
                    back["state"] = form["state"]
                self._redirect(f"{form['redirect_uri']}?{urlencode(back)}")
            elif url.path == "/token":
                self._token(form)
            else:
                self._json(404, {"error": "not_found"})

        def _client_ok(self, form: dict[str, str]) -> bool:
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            else:
                user, password = form.get("client_id", ""), form.get("client_secret", "")
            return user == provider.client_id and password == provider.client_secret

        def _token(self, form: dict[str, str]) -> None:
            if not self._client_ok(form):
                self._json(401, {"error": "invalid_client"})
                return
            grant = provider.codes.pop(form.get("code", ""), None)  # one use only
            if (
                grant is None
                or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != grant["redirect_uri"]
            ):
                self._json(400, {"error": "invalid_grant"})
                return
            challenge = grant.get("code_challenge")
            if challenge:
                verifier = form.get("code_verifier", "").encode()
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                if digest.rstrip(b"=").decode() != challenge:
                    self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                    return
            provider.tokens_issued.append(grant["email"])
            self._json(
                200,
                {
                    "access_token": secrets.token_urlsafe(24),
                    "token_type": "Bearer",
                    "expires_in": 600,
                    "scope": grant.get("scope", "openid"),
                    "id_token": provider.id_token(grant["email"], grant.get("nonce")),
                },
            )

    return Handler


@contextmanager
def oidc_provider(*, client_id: str, client_secret: str, redirect_uri: str) -> Iterator[Provider]:
    """Serve a :class:`Provider` on a free 127.0.0.1 port; stop it on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    provider = Provider(f"http://127.0.0.1:{port}", client_id, client_secret, redirect_uri)
    server.RequestHandlerClass = _handler(provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
