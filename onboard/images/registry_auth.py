"""Registry logins: the response to the `WWW-Authenticate` challenge of a 401, with Basic credentials or with a
Bearer token from the registry's token service (the Docker Registry token authentication flow)."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import requests

from onboard.errors import OnboardError
from onboard.redact import redact

TOKEN_TIMEOUT_SECONDS = 15.0
_PARAMETER = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """Split `Bearer realm="...",service="...",scope="..."` into the scheme and its parameters."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(_PARAMETER.findall(rest))


def authorization(header: str, credentials: Credentials | None) -> str | None:
    """Return the Authorization header value that responds to the challenge, or None when none can.

    Without credentials, a Bearer token is requested anonymously, which public repositories allow for pulls.
    """
    scheme, parameters = parse_challenge(header)
    if scheme == "basic":
        return None if credentials is None else _basic(credentials)
    if scheme != "bearer" or "realm" not in parameters:
        return None
    query = {key: parameters[key] for key in ("service", "scope") if key in parameters}
    auth = (credentials.username, credentials.password) if credentials else None
    try:
        response = requests.get(parameters["realm"], params=query, auth=auth, timeout=TOKEN_TIMEOUT_SECONDS)
    except requests.RequestException as err:
        message = f"registry token service {parameters['realm']} is not reachable"
        raise OnboardError(message, cause=redact(str(err))) from err
    if response.status_code != 200:
        raise OnboardError(
            f"registry token service {parameters['realm']} returned {response.status_code}",
            cause=redact(response.text[:300]) or "empty body",
            fix="check the registry user and password variables named in [containers]",
        )
    body = response.json()
    token = body.get("token") or body.get("access_token")
    return f"Bearer {token}" if token else None


def _basic(credentials: Credentials) -> str:
    encoded = base64.b64encode(f"{credentials.username}:{credentials.password}".encode()).decode()
    return f"Basic {encoded}"


def auth_file_json(registry: str, credentials: Credentials) -> dict[str, object]:
    """Return the containers-auth.json content (the format of `buildah login`) for one registry."""
    encoded = _basic(credentials).removeprefix("Basic ")
    return {"auths": {registry: {"auth": encoded}}}
