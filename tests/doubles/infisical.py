"""An in-process Infisical server that follows the published API for what onboard uses.

Endpoints: universal-auth login (v1), folders (v2), secrets by name and in batch (v4). Behaviour taken from
Infisical's API reference and server source: error bodies {reqId, statusCode, message, error}; 422
ValidationFailure with a list of issues; 404 "Folder with path ... not found" for a missing folder as against
"Secret with name ... not found" (error NotFound) for a missing secret; 403 TokenError once a token expired;
429 "Rate limit exceeded. Please try again in N seconds" with Retry-After; 200 {approval} under an approval
policy; secret values trimmed on write. Failed logins lock the identity after `lockout_after` attempts.
"""

from __future__ import annotations

import itertools
import re
import secrets as random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.doubles.http import DoubleServer, Request, Response, ServedDouble

_FOLDER_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
_UPDATE_MODES = ("ignore", "upsert", "failOnNotFound")


class ApiFailure(Exception):
    def __init__(self, status: int, error: str, message: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(str(message))
        self.status, self.error, self.message, self.headers = status, error, message, headers or {}


@dataclass
class Fault:
    """A failure injected for the next `times` requests matching `method` and the path prefix."""

    method: str
    prefix: str
    times: int = 1
    skip: int = 0  # let this many matching requests through first
    status: int | None = None
    error: str = ""
    message: Any = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    apply_first: bool = False  # run the real handler, then delay or fail: a write that landed


def trim_value(value: str) -> str:
    return value.strip() + "\n" if value.endswith("\n") else value.strip()


def _without_trailing_slash(path: str) -> str:
    return path.rstrip("/") or "/"


class InfisicalDouble(ServedDouble):
    def __init__(self, *, project_id: str = "proj-7f3a", environment: str = "prod", client_id: str = "client-1",
                 client_secret: str = "client-secret-value-1", lockout_after: int = 3) -> None:
        self.project_id, self.environment = project_id, environment
        self.client_id, self.client_secret = client_id, client_secret
        self.lockout_after = lockout_after
        self.server = DoubleServer()
        self._routes()
        self.reset()

    def reset(self) -> None:
        """Forget every login, folder, secret, approval, fault and recorded request; keep the server running."""
        self.failed_logins = 0
        self.logins = 0
        self.tokens: dict[str, bool] = {}  # token -> still valid
        self.folders: set[str] = {"/"}
        self.secrets: dict[tuple[str, str], dict[str, Any]] = {}
        self.approval_paths: set[str] = set()
        self.approvals: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self._ids = itertools.count(1)
        self.server.requests.clear()

    # -- test controls -------------------------------------------------------------------------------------
    def expire_tokens(self) -> None:
        self.tokens = {token: False for token in self.tokens}

    def inject(self, method: str, prefix: str, **kwargs: Any) -> Fault:
        fault = Fault(method, prefix, **kwargs)
        self.faults.append(fault)
        return fault

    def rate_limit(self, method: str, prefix: str, *, seconds: int = 1, header: bool = True, times: int = 1) -> None:
        headers = {"Retry-After": str(seconds)} if header else {}
        self.inject(method, prefix, status=429, error="RateLimitExceeded", headers=headers, times=times,
                    message=f"Rate limit exceeded. Please try again in {seconds} seconds")

    def value(self, path: str, name: str) -> str | None:
        secret = self.secrets.get((path, name))
        return None if secret is None else secret["value"]

    def merge_approvals(self) -> None:
        for approval in self.approvals:
            if approval["status"] == "open":
                for key, value in approval["changes"].items():
                    self._store(approval["path"], key, value)
                approval.update(status="close", hasMerged=True)

    def requests_to(self, method: str, prefix: str) -> list[Request]:
        return [r for r in self.server.requests if r.method == method and r.path.startswith(prefix)]

    # -- plumbing -------------------------------------------------------------------------------------------
    def _routes(self) -> None:
        table: list[tuple[str, str, Callable[[Request], Any], bool]] = [
            ("POST", "/api/v1/auth/universal-auth/login", self._login, False),
            ("GET", "/api/v2/folders", self._list_folders, True),
            ("POST", "/api/v2/folders", self._create_folder, True),
            ("PATCH", "/api/v4/secrets/batch", self._update_many, True),
            ("POST", "/api/v4/secrets/batch", self._create_many, True),
            ("GET", "/api/v4/secrets/{name}", self._get_secret, True),
            ("POST", "/api/v4/secrets/{name}", self._create_secret, True),
        ]
        for method, pattern, handler, auth in table:
            self.server.route(method, pattern, self._guard(handler, auth))

    def _guard(self, handler: Callable[[Request], Any], auth: bool) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            fault = self._take_fault(request)
            try:
                if fault is not None and not fault.apply_first:
                    time.sleep(fault.delay)
                    if fault.status is not None:
                        raise ApiFailure(fault.status, fault.error, fault.message, fault.headers)
                if auth:
                    self._authenticate(request)
                body = handler(request)
                if fault is not None and fault.apply_first:
                    time.sleep(fault.delay)
                    if fault.status is not None:
                        raise ApiFailure(fault.status, fault.error, fault.message, fault.headers)
                return Response(200, body)
            except ApiFailure as failure:
                payload = {"reqId": f"req-{next(self._ids)}", "statusCode": failure.status,
                           "message": failure.message, "error": failure.error}
                return Response(failure.status, payload, headers=failure.headers)
        return run

    def _take_fault(self, request: Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and request.path.startswith(fault.prefix):
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.times -= 1
                return fault
        return None

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization", "")
        token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        if token not in self.tokens:
            raise ApiFailure(401, "UnauthorizedError", "You are not allowed to access this resource")
        if not self.tokens[token]:
            raise ApiFailure(403, "TokenError", "Your token has expired. Please re-authenticate.")

    def _scope(self, data: dict[str, Any], path_key: str) -> str:
        issues = [{"code": "invalid_type", "expected": "string", "path": [key], "message": "Required"}
                  for key in ("projectId",) if not isinstance(data.get(key), str)]
        if issues:
            raise ApiFailure(422, "ValidationFailure", issues)
        if not data.get("environment"):
            raise ApiFailure(400, "BadRequest", "Missing environment")
        if data["projectId"] != self.project_id:
            raise ApiFailure(404, "NotFound", f"Project with ID '{data['projectId']}' not found")
        if data["environment"] != self.environment:
            raise ApiFailure(404, "NotFound", f"Environment with slug '{data['environment']}' in project with ID "
                                              f"'{self.project_id}' not found")
        path = data.get(path_key, "/")
        if not isinstance(path, str):
            raise ApiFailure(422, "ValidationFailure", [{"path": [path_key], "message": "Expected string"}])
        return _without_trailing_slash(path.strip())

    def _require_folder(self, path: str, operation: str) -> None:
        if path not in self.folders:
            raise ApiFailure(404, operation, f"Folder with path '{path}' in environment with slug "
                                             f"'{self.environment}' not found")

    @staticmethod
    def _check_name(name: Any, field_name: str = "secretKey") -> str:
        if not isinstance(name, str) or not name.strip():
            raise ApiFailure(422, "ValidationFailure", [{"path": [field_name], "message": "Required"}])
        if re.search(r"\s", name.strip()):
            raise ApiFailure(422, "ValidationFailure", [{"path": [field_name], "message": "Secret name cannot contain spaces."}])
        return name.strip()

    def _store(self, path: str, key: str, value: str) -> dict[str, Any]:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        secret = self.secrets.get((path, key))
        if secret is None:
            secret = {"id": f"sec-{next(self._ids)}", "version": 0, "createdAt": now}
            self.secrets[(path, key)] = secret
        secret.update(value=value, version=secret["version"] + 1, updatedAt=now)
        return self._shape(path, key)

    def _shape(self, path: str, key: str) -> dict[str, Any]:
        secret = self.secrets[(path, key)]
        return {"id": secret["id"], "_id": secret["id"], "workspace": self.project_id, "environment": self.environment,
                "version": secret["version"], "type": "shared", "secretKey": key, "secretValue": secret["value"],
                "secretComment": "", "secretPath": path, "secretValueHidden": False, "tags": [],
                "secretMetadata": [], "createdAt": secret["createdAt"], "updatedAt": secret["updatedAt"]}

    def _approval(self, path: str, changes: dict[str, str]) -> dict[str, Any] | None:
        if path not in self.approval_paths:
            return None
        number = next(self._ids)
        approval = {"id": f"apr-{number}", "slug": f"request-{number}", "status": "open", "hasMerged": False,
                    "policyId": "policy-1", "folderId": f"folder-{path}", "conflicts": [], "isReplicated": False,
                    "committerUserId": None, "statusChangedByUserId": None, "bypassReason": None,
                    "createdAt": "2026-01-01T00:00:00Z", "updatedAt": "2026-01-01T00:00:00Z"}
        self.approvals.append({**approval, "path": path, "changes": changes})
        return {"approval": approval}

    # -- handlers -------------------------------------------------------------------------------------------
    def _login(self, request: Request) -> dict[str, Any]:
        data = request.json() or {}
        issues = [{"path": [key], "message": "Required"} for key in ("clientId", "clientSecret")
                  if not isinstance(data.get(key), str)]
        if issues:
            raise ApiFailure(422, "ValidationFailure", issues)
        if self.failed_logins >= self.lockout_after:
            raise ApiFailure(401, "UnauthorizedError", "Identity is locked due to repeated failed login attempts")
        if data["clientId"] != self.client_id or data["clientSecret"] != self.client_secret:
            self.failed_logins += 1
            raise ApiFailure(401, "UnauthorizedError", "Invalid credentials")
        self.logins += 1
        token = "eyJ" + random.token_urlsafe(24)
        self.tokens[token] = True
        return {"accessToken": token, "expiresIn": 7200, "accessTokenMaxTTL": 7200, "tokenType": "Bearer"}

    def _list_folders(self, request: Request) -> dict[str, Any]:
        query = {key: values[0] for key, values in request.query.items()}
        if "path" not in query:
            raise ApiFailure(422, "ValidationFailure", [{"path": ["path"], "message": "Required"}])
        parent = self._scope(query, "path")
        prefix = "" if parent == "/" else parent
        names = sorted(f.rsplit("/", 1)[1] for f in self.folders if f != "/" and f.rsplit("/", 1)[0] == prefix)
        return {"folders": [{"id": f"folder-{prefix}/{name}", "name": name, "envId": "env-1", "version": 1,
                             "parentId": None, "isReserved": False, "description": None} for name in names]}

    def _create_folder(self, request: Request) -> dict[str, Any]:
        data = request.json() or {}
        parent = self._scope(data, "path")
        name = str(data.get("name", "")).strip()
        if not _FOLDER_NAME.fullmatch(name):
            raise ApiFailure(422, "ValidationFailure", [{"path": ["name"], "message": "Invalid folder name. Only "
                                                         "alphanumeric characters, dashes, and underscores are allowed."}])
        self._require_folder(parent, "CreateFolder")
        path = f"{'' if parent == '/' else parent}/{name}"
        if path in self.folders:
            raise ApiFailure(400, "BadRequest", f"Folder with name '{name}' already exists")
        self.folders.add(path)
        return {"folder": {"id": f"folder-{path}", "name": name, "path": path, "envId": "env-1", "version": 1}}

    def _get_secret(self, request: Request) -> dict[str, Any]:
        query = {key: values[0] for key, values in request.query.items()}
        path = self._scope(query, "secretPath")
        self._require_folder(path, "GetSecretByName")
        name = request.params["name"]
        if (path, name) not in self.secrets:
            raise ApiFailure(404, "NotFound", f"Secret with name '{name}' not found")
        return {"secret": self._shape(path, name)}

    def _create_secret(self, request: Request) -> dict[str, Any]:
        data = request.json() or {}
        path = self._scope(data, "secretPath")
        name = self._check_name(request.params["name"], "secretName")
        if not isinstance(data.get("secretValue"), str):
            raise ApiFailure(422, "ValidationFailure", [{"path": ["secretValue"], "message": "Required"}])
        self._require_folder(path, "CreateSecret")
        if (path, name) in self.secrets:
            raise ApiFailure(400, "BadRequest", "Secret already exist")
        value = trim_value(data["secretValue"])
        return self._approval(path, {name: value}) or {"secret": self._store(path, name, value)}

    def _batch_items(self, data: dict[str, Any]) -> dict[str, str]:
        items = data.get("secrets")
        if not isinstance(items, list) or not items:
            raise ApiFailure(422, "ValidationFailure", [{"path": ["secrets"], "message": "Array must contain at "
                                                         "least 1 element(s)"}])
        changes = {}
        for item in items:
            name = self._check_name(item.get("secretKey"))
            if not isinstance(item.get("secretValue"), str):
                raise ApiFailure(422, "ValidationFailure", [{"path": ["secretValue"], "message": "Required"}])
            changes[name] = trim_value(item["secretValue"])
        return changes

    def _create_many(self, request: Request) -> dict[str, Any]:
        data = request.json() or {}
        path = self._scope(data, "secretPath")
        changes = self._batch_items(data)
        self._require_folder(path, "CreateManySecret")
        existing = [name for name in changes if (path, name) in self.secrets]
        if existing:
            raise ApiFailure(400, "BadRequest", f"Secret already exists: {','.join(existing)}")
        return self._approval(path, changes) or {"secrets": [self._store(path, k, v) for k, v in changes.items()]}

    def _update_many(self, request: Request) -> dict[str, Any]:
        data = request.json() or {}
        path = self._scope(data, "secretPath")
        mode = data.get("mode", "failOnNotFound")
        if mode not in _UPDATE_MODES:
            raise ApiFailure(422, "ValidationFailure", [{"path": ["mode"], "message": "Invalid enum value"}])
        changes = self._batch_items(data)
        if path not in self.folders:
            raise ApiFailure(404, "UpdateManySecret", f"Folder with path 'null' in environment with slug "
                                                      f"'{self.environment}' not found")
        missing = [name for name in changes if (path, name) not in self.secrets]
        if missing and mode == "failOnNotFound":
            raise ApiFailure(404, "NotFound", f"Secret does not exist: {','.join(missing)}")
        if mode == "ignore":
            changes = {k: v for k, v in changes.items() if k not in missing}
        return self._approval(path, changes) or {"secrets": [self._store(path, k, v) for k, v in changes.items()]}
