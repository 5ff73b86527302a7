"""A Docker Registry token service double: the `/token` endpoint of the token authentication specification of
distribution 2.x, issuing RS256 JSON Web Tokens that the real docker-registry verifies.

The signing key and its self-signed certificate come from the openssl command line. The certificate travels in
the token's `x5c` header and must chain to the registry's `rootcertbundle`.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from onboard import proc
from tests.doubles.http import DoubleServer, Request, Response

ISSUER = "onboard-token-double"
SERVICE = "onboard-registry"
TOKEN_SECONDS = 300


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class TokenService:
    folder: Path
    username: str
    password: str
    server: DoubleServer = field(default_factory=DoubleServer)
    requests_seen: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = self.folder / "token-key.pem"
        self.certificate = self.folder / "token-cert.pem"
        proc.run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(self.key),
            "-out", str(self.certificate), "-days", "1", "-subj", f"/CN={ISSUER}",
        ])  # fmt: skip
        der_file = self.folder / "token-cert.der"
        proc.run(["openssl", "x509", "-in", str(self.certificate), "-outform", "DER", "-out", str(der_file)])
        self.x5c = base64.b64encode(der_file.read_bytes()).decode()
        self.server.route("GET", "/token", self._token)

    @property
    def realm(self) -> str:
        return f"{self.server.url}/token"

    def _authenticated(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == (self.username, self.password)

    def _token(self, request: Request) -> Response:
        scopes = request.query.get("scope", [])
        authenticated = self._authenticated(request)
        self.requests_seen.append({"scope": " ".join(scopes), "authenticated": str(authenticated)})
        if "Authorization" in request.headers and not authenticated:
            return Response(401, {"details": "incorrect username or password"})
        access = []
        for scope in scopes:
            kind, name, actions = scope.split(":")
            allowed = actions.split(",") if authenticated else []
            access.append({"type": kind, "name": name, "actions": allowed})
        return Response(200, {"token": self._sign(access), "expires_in": TOKEN_SECONDS})

    def _sign(self, access: list[dict[str, object]]) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {
            "iss": ISSUER, "sub": self.username, "aud": SERVICE, "exp": now + TOKEN_SECONDS, "nbf": now - 10,
            "iat": now, "jti": uuid.uuid4().hex, "access": access,
        }  # fmt: skip
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        message = self.folder / f"jwt-{uuid.uuid4().hex}"
        message.write_text(signing_input, encoding="ascii")
        signature = message.with_suffix(".sig")
        proc.run(["openssl", "dgst", "-sha256", "-sign", str(self.key), "-out", str(signature), str(message)])
        return f"{signing_input}.{_b64url(signature.read_bytes())}"

    def __enter__(self) -> TokenService:
        self.server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
