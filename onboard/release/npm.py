"""The npm registry as the release and bump stages use it: read a version's tarball digest, pack, publish.

The registry token reaches npm and yarn only through the child's environment. A temporary npmrc outside
the repository names the variable (`${ONBOARD_NPM_TOKEN}`, expanded by npm and yarn 1 when they read the
file), so neither the file nor the command line contains the token.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from onboard import proc
from onboard.errors import CommandError
from onboard.fsutil import atomic_write

TOKEN_VARIABLE = "ONBOARD_NPM_TOKEN"
REQUEST_TIMEOUT_SECONDS = 30
PACK_TIMEOUT_SECONDS = 120
PUBLISH_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Tarball:
    """The digests npm computes for a package tarball: `shasum` (SHA-1 hex) and `integrity` (SRI, SHA-512)."""

    name: str
    version: str
    shasum: str
    integrity: str


def normalize_registry(url: str) -> str:
    """Return the registry URL with the trailing slash npm and yarn expect."""
    return url if url.endswith("/") else url + "/"


def _auth_key(registry_url: str) -> str:
    """Return the npmrc key prefix for a registry: its URL without the scheme (`//host:port/path/`)."""
    split = urllib.parse.urlsplit(normalize_registry(registry_url))
    return f"//{split.netloc}{split.path}"


@contextlib.contextmanager
def registry_env(registry_url: str, token: str | None, *, fetch_retries: int = 2) -> Iterator[dict[str, str]]:
    """Yield the environment that points npm and yarn 1 at `registry_url` with `token`.

    `fetch_retries` is npm's retry count for a failed request (npm's default is 2, waiting 10 s to 60 s).
    The npmrc lives in a temporary folder outside any repository and is removed on exit.
    """
    registry_url = normalize_registry(registry_url)
    folder = Path(tempfile.mkdtemp(prefix="onboard-npmrc-"))
    try:
        lines = [f"registry={registry_url}"]
        if token:
            lines.append(f"{_auth_key(registry_url)}:_authToken=${{{TOKEN_VARIABLE}}}")
        npmrc = folder / "npmrc"
        atomic_write(npmrc, "\n".join(lines) + "\n", mode=0o600)
        env = {
            "npm_config_userconfig": str(npmrc),
            "npm_config_registry": registry_url,
            "npm_config_fetch_retries": str(fetch_retries),
        }
        if token:
            env[TOKEN_VARIABLE] = token
        yield env
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def published_dist(registry_url: str, name: str, version: str, *, token: str | None) -> Mapping[str, str] | None:
    """Return the `dist` record (shasum, integrity, tarball) of `name@version`, or None when not published."""
    url = normalize_registry(registry_url) + urllib.parse.quote(name, safe="@")
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = requests.get(url, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)
    except requests.RequestException as err:
        raise CommandError(
            f"npm registry {registry_url} is not reachable",
            cause=str(err),
            fix="start the registry or correct registry_url in onboard.toml, then run again",
        ) from err

    if response.status_code == 404:
        return None
    if not response.ok:
        raise CommandError(
            f"npm registry {registry_url} returned HTTP {response.status_code} for {name}",
            cause=response.text[:300],
            fix="check the registry token and that it may read this package",
        )
    return response.json().get("versions", {}).get(version, {}).get("dist")


def pack(package_dir: Path, *, env: Mapping[str, str]) -> Tarball:
    """Compute the tarball `npm publish` would upload, without writing it (`npm pack --dry-run`)."""
    argv = ["npm", "pack", "--dry-run", "--json", "--ignore-scripts"]
    result = proc.run(argv, cwd=package_dir, env=env, timeout=PACK_TIMEOUT_SECONDS)
    try:
        record = json.loads(result.stdout)[0]
        return Tarball(record["name"], record["version"], record["shasum"], record["integrity"])
    except (json.JSONDecodeError, IndexError, KeyError) as err:
        raise CommandError(
            f"npm pack in {package_dir} printed no tarball record",
            cause=result.stdout[-300:] or result.stderr[-300:],
        ) from err


def publish(package_dir: Path, *, registry_url: str, env: Mapping[str, str], access: str | None = None) -> None:
    """Publish the package in `package_dir` to `registry_url`; lifecycle scripts do not run."""
    argv = ["npm", "publish", "--ignore-scripts", "--registry", normalize_registry(registry_url)]
    if access:
        argv.append(f"--access={access}")
    proc.run(argv, cwd=package_dir, env=env, timeout=PUBLISH_TIMEOUT_SECONDS)
