"""What a sandbox contains after onboarding: commits, tags, published versions, transactions, images and rows.

The kill tests compare these with what exactly one onboarding makes, so a step done twice shows up as a count.
"""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import requests

from tests.reliability.harness import NETWORK

PACKAGES = ("@sphinx-labs/contracts", "@sphinx-labs/core", "@sphinx-labs/plugins")
BRANCH = f"onboard/{NETWORK}"
NETWORKS_TS = "packages/contracts/src/networks.ts"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def branch_subjects(repo: Path, branch: str, base: str) -> list[str]:
    """Return the subjects of the commits on `branch` that `base` does not have, oldest first."""
    return git(repo, "log", "--reverse", "--format=%s", f"{base}..{branch}").splitlines()


def commits_touching(repo: Path, branch: str, base: str, path: str) -> list[str]:
    return git(repo, "log", "--format=%H", f"{base}..{branch}", "--", path).splitlines()


def dirty(repo: Path) -> bool:
    return bool(git(repo, "status", "--porcelain", "--untracked-files=all"))


def release_tags(repo: Path) -> list[str]:
    return git(repo, "tag", "--list", "@sphinx-labs/*").splitlines()


def registry_versions(registry_url: str, package: str) -> dict[str, str]:
    """Return {version: publish time} of a package in the npm registry; empty when it has none."""
    response = requests.get(f"{registry_url.rstrip('/')}/{package.replace('/', '%2f')}", timeout=10)
    if response.status_code == 404:
        return {}
    response.raise_for_status()
    document = response.json()
    times = document.get("time", {})
    return {version: times.get(version, "") for version in document.get("versions", {})}


def rpc(url: str, method: str, *params: Any) -> Any:
    response = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}, timeout=10)
    response.raise_for_status()
    return response.json()["result"]


def transactions_from(url: str, sender: str) -> list[dict[str, Any]]:
    """Return every transaction `sender` sent, with its receipt status, across all blocks of the chain."""
    found = []
    for number in range(int(rpc(url, "eth_blockNumber"), 16) + 1):
        block = rpc(url, "eth_getBlockByNumber", hex(number), True)
        for tx in block["transactions"]:
            if tx["from"].lower() == sender.lower():
                receipt = rpc(url, "eth_getTransactionReceipt", tx["hash"])
                found.append({**tx, "status": receipt["status"]})
    return found


def nonce(url: str, account: str) -> int:
    return int(rpc(url, "eth_getTransactionCount", account, "latest"), 16)


def image_tags(registry: str) -> dict[str, dict[str, str]]:
    """Return {repository: {tag: manifest digest}} for every repository in the image registry."""
    base = f"http://{registry}/v2"
    accept = ", ".join(
        [
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json",
            "application/vnd.oci.image.index.v1+json",
        ]
    )
    found: dict[str, dict[str, str]] = {}
    for repository in requests.get(f"{base}/_catalog", timeout=10).json()["repositories"]:
        tags = requests.get(f"{base}/{repository}/tags/list", timeout=10).json()["tags"] or []
        assert len(tags) == len(set(tags)), f"{repository} lists a tag twice: {tags}"
        found[repository] = {}
        for tag in tags:
            response = requests.head(f"{base}/{repository}/manifests/{tag}", headers={"Accept": accept}, timeout=10)
            response.raise_for_status()
            found[repository][tag] = response.headers["Docker-Content-Digest"]
    return found


def network_rows(database_url: str, chain_id: int) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT id, name, display_name, deprecated FROM networks WHERE id = %s OR name = %s", (chain_id, NETWORK)
        ).fetchall()


def counts(items: list[str]) -> dict[str, int]:
    return dict(Counter(items))
