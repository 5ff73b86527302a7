"""The npm toolchain the sandbox and the tests run: anvil, hardhat with the published Sphinx packages,
verdaccio, changesets, yarn 1, TypeScript and prettier.

One `npm install` (about 40 s and 670 MB, measured on a 2-core machine) is cached in a folder keyed by the
hash of the package list, so test sessions and worktrees share it. `ONBOARD_NODE_CACHE` moves the cache.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from onboard import proc
from onboard.errors import CommandError

PACKAGES = {
    "@sphinx-labs/core": "0.26.0",
    "@sphinx-labs/contracts": "0.23.0",
    "hardhat": "~2.29.0",
    "@nomicfoundation/hardhat-ethers": "^3.0.0",
    "ethers": "^6.7.0",
    "@foundry-rs/anvil": "1.7.1",
    # 6.10 and later need Node 22.
    "verdaccio": "6.8.0",
    # 3.x needs Node 22.
    "@changesets/cli": "~2.31.0",
    "yarn": "~1.22.0",
    "typescript": "^5.4.0",
    "prettier": "^3.0.0",
}

# @sphinx-labs/core depends on the npm placeholder package `fs@^0.0.1-security`, which some registries lack.
# The code means Node's own `fs` module, so a local package replaces it.
_FS_STUB_PACKAGE = {"name": "fs", "version": "0.0.1-security", "main": "index.js"}
_FS_STUB_CODE = "module.exports = require('node:fs');\n"

_COMPLETE_MARK = ".onboard-complete"
INSTALL_TIMEOUT_SECONDS = 900


def _manifest() -> dict[str, object]:
    return {
        "name": "onboard-toolchain",
        "private": True,
        "dependencies": PACKAGES,
        "overrides": {"fs": "file:./fs-stub"},
    }


def _key() -> str:
    encoded = json.dumps(_manifest(), sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:12]


def default_cache_root() -> Path:
    configured = os.environ.get("ONBOARD_NODE_CACHE")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / ".cache" / "node-toolchain"


@dataclass(frozen=True)
class Toolchain:
    """An installed toolchain folder."""

    root: Path

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    def bin(self, name: str) -> Path:
        path = self.node_modules / ".bin" / name
        if not path.exists():
            raise CommandError(f"{name} is not in the toolchain at {self.root}", fix="delete the folder and rerun")
        return path

    @property
    def anvil(self) -> Path:
        """The platform binary: the npm launcher spawns it as a child, so its PID would not stop the node."""
        return self.node_modules / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"

    @property
    def verdaccio_entry(self) -> Path:
        return self.node_modules / "verdaccio" / "bin" / "verdaccio"

    def path_env(self) -> dict[str, str]:
        """Return a PATH with the toolchain's binaries first."""
        return {"PATH": f"{self.node_modules / '.bin'}{os.pathsep}{os.environ.get('PATH', '')}"}


def ensure_toolchain(cache_root: Path | None = None) -> Toolchain:
    """Return the cached toolchain, installing it first when missing. Safe to call from parallel processes."""
    root = (cache_root or default_cache_root()) / _key()
    if (root / _COMPLETE_MARK).exists():
        return Toolchain(root)

    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / _COMPLETE_MARK).exists():
            _install(root)
    return Toolchain(root)


def _install(root: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f"{root.name}.", dir=root.parent))
    try:
        (staging / "fs-stub").mkdir()
        (staging / "fs-stub" / "package.json").write_text(json.dumps(_FS_STUB_PACKAGE))
        (staging / "fs-stub" / "index.js").write_text(_FS_STUB_CODE)
        (staging / "package.json").write_text(json.dumps(_manifest(), indent=2))
        proc.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            timeout=INSTALL_TIMEOUT_SECONDS,
        )
        (staging / _COMPLETE_MARK).write_text("")
        if root.exists():
            shutil.rmtree(root)
        staging.rename(root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


if __name__ == "__main__":
    print(ensure_toolchain().root)
