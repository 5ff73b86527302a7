"""A small Infisical client on its REST API: universal-auth login, folders (v2) and secrets (v4).

Facts from Infisical's API reference and server source:
- `POST /api/v1/auth/universal-auth/login` {clientId, clientSecret} returns {accessToken, expiresIn, ...}.
  Failed logins count towards the identity's lockout, so a failed login is never retried. A 429 on login
  is waited out like any other, because the rate limiter rejects the request before credentials are checked.
- The server rejects an expired access token with 403 and `error: "TokenError"`. One new login fixes it.
- Error bodies are {reqId, statusCode, message, error}. A missing folder and a missing secret are both 404:
  the folder's message starts with "Folder with path", the secret's `error` is "NotFound".
- Writes under a secret approval policy return 200 with {approval: {...}} and change nothing yet.
- The server trims secret values (keeping one trailing newline).
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

from onboard.errors import OnboardError
from onboard.redact import register_secret
from onboard.secrets.base import ApprovalRequired
from onboard.secrets.http import JsonApi, Reply, describe_failure
from onboard.secrets.settings import InfisicalSettings

log = logging.getLogger("onboard.secrets")

LOGIN_PATH = "/v1/auth/universal-auth/login"
FOLDERS_PATH = "/v2/folders"
SECRETS_PATH = "/v4/secrets"


class FolderNotFound(OnboardError):
    """The secret path does not exist in the Infisical environment."""


def api_root(url: str) -> str:
    """Return the API root for a base URL given with or without a trailing /api."""
    base = url.rstrip("/")
    if base.endswith("/api"):
        base = base[: -len("/api")]
    return f"{base}/api"


def trim_like_infisical(value: str) -> str:
    """Return the value Infisical stores: trimmed, keeping one trailing newline when there was one."""
    return value.strip() + "\n" if value.endswith("\n") else value.strip()


class InfisicalClient:
    """One project environment of an Infisical server. The access token lives in this object only."""

    def __init__(self, settings: InfisicalSettings, *, client_id: str, client_secret: str) -> None:
        self.settings = settings
        self._client_id = client_id
        self._client_secret = client_secret
        self._token: str | None = None
        self._api = JsonApi(
            service="Infisical",
            base_url=api_root(settings.url),
            timeout=settings.timeout_seconds,
            max_wait=settings.max_rate_limit_wait_seconds,
        )

    def login(self) -> None:
        """Exchange the client id and secret for an access token, once; a failure is raised, never retried."""
        reply = self._api.send("POST", LOGIN_PATH, json={"clientId": self._client_id, "clientSecret": self._client_secret})
        token = reply.field("accessToken")
        if reply.status != 200 or not isinstance(token, str):
            raise OnboardError(
                f"Infisical universal-auth login failed for client id {self._client_id}: {describe_failure(reply)}",
                cause="login is not retried, because Infisical locks an identity after repeated failed logins",
                fix=f"check {self.settings.client_id_env} and {self.settings.client_secret_env} and that the "
                "machine identity uses universal auth, then run again",
            )
        register_secret(token)
        self._token = token

    def call(self, method: str, path: str, *, params: Mapping[str, str] | None = None, body: Any = None) -> Reply:
        """Send an authenticated request; log in again once when the server reports an expired token."""
        if self._token is None:
            self.login()
        reply = self._authorized(method, path, params, body)
        if reply.status == 403 and reply.field("error") == "TokenError":
            log.info("Infisical access token rejected (%s); logging in again", reply.field("message"))
            self._token = None
            self.login()
            reply = self._authorized(method, path, params, body)
        return reply

    def _authorized(self, method: str, path: str, params: Mapping[str, str] | None, body: Any) -> Reply:
        headers = {"Authorization": f"Bearer {self._token}"}
        return self._api.send(method, path, params=params, json=body, headers=headers)

    def _scope(self) -> dict[str, str]:
        return {"projectId": self.settings.project_id, "environment": self.settings.environment}

    def folder_names(self, parent: str = "/") -> set[str]:
        reply = self.call("GET", FOLDERS_PATH, params={**self._scope(), "path": parent})
        self._expect_ok(reply, f"list the folders under {parent}")
        return {folder["name"] for folder in reply.field("folders") or []}

    def create_folder(self, name: str, parent: str = "/") -> None:
        reply = self.call("POST", FOLDERS_PATH, body={**self._scope(), "name": name, "path": parent})
        self._expect_ok(reply, f"create the folder {parent.rstrip('/')}/{name}")

    def get_secret(self, folder: str, name: str) -> str | None:
        """Return the secret's value, None when the folder exists but the secret does not."""
        params = {**self._scope(), "secretPath": folder, "viewSecretValue": "true", "expandSecretReferences": "false"}
        reply = self.call("GET", f"{SECRETS_PATH}/{urllib.parse.quote(name, safe='')}", params=params)
        if reply.status == 404:
            if str(reply.field("message") or "").startswith("Folder with path"):
                raise FolderNotFound(
                    f"Infisical folder {folder} does not exist in environment {self.settings.environment}",
                    cause=describe_failure(reply),
                    fix="run `onboard network NAME --only secrets` again; it creates missing folders",
                )
            return None
        self._expect_ok(reply, f"read {folder}/{name}")
        secret = reply.field("secret") or {}
        if secret.get("secretValueHidden"):
            raise OnboardError(
                f"Infisical hides the value of {folder}/{name} from this identity",
                fix="grant the machine identity read access to secret values in this environment and path",
            )
        value = str(secret.get("secretValue", ""))
        register_secret(value)
        return value

    def upsert_secrets(self, folder: str, values: Mapping[str, str]) -> None:
        """Create or update every secret of one folder in one request (`PATCH /api/v4/secrets/batch`, mode upsert)."""
        secrets = [{"secretKey": name, "secretValue": value} for name, value in sorted(values.items())]
        body = {**self._scope(), "secretPath": folder, "mode": "upsert", "secrets": secrets}
        reply = self.call("PATCH", f"{SECRETS_PATH}/batch", body=body)
        approval = reply.field("approval")
        if reply.status == 200 and isinstance(approval, dict):
            request_id = str(approval.get("slug") or approval.get("id") or "unknown")
            raise ApprovalRequired(
                f"Infisical created approval request {request_id} for {', '.join(sorted(values))} in {folder}; "
                "nothing changes until it is approved",
                request_id=request_id,
                fix="ask an approver of this environment to approve and merge the request, then run again",
            )
        if reply.status == 404 and str(reply.field("message") or "").startswith("Folder with path"):
            raise FolderNotFound(f"Infisical folder {folder} disappeared during the run", cause=describe_failure(reply),
                                 fix="run again; onboard creates missing folders")
        self._expect_ok(reply, f"write {len(values)} secret(s) in {folder}")

    def _expect_ok(self, reply: Reply, action: str) -> None:
        if reply.status == 200:
            return
        fix = "run again; onboard reads the current state before it writes"
        if reply.status in (401, 403):
            fix = (
                f"give the machine identity access to project {self.settings.project_id}, environment "
                f"{self.settings.environment}, folders /RPC and /BlockExplorers, then run again"
            )
        elif reply.status in (400, 404, 422):
            fix = "check project_id and environment in [secrets.infisical], then run again"
        raise OnboardError(f"Infisical failed to {action}: {describe_failure(reply)}", fix=fix)

    def close(self) -> None:
        self._token = None
        self._api.close()
