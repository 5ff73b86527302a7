"""The onboard.toml and sandbox.env that `onboard sandbox up` writes next to its repositories and servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomli_w

from onboard.sandbox.platform import SERVICES
from onboard.sandbox.registry_seed import SANDBOX_TOKEN
from onboard.sandbox.toolchain import ensure_toolchain
from onboard.spec import NetworkSpec

# anvil's second default account (mnemonic "test test ... junk"): public, funded on every anvil chain.
RELAYER_PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
EXPLORER_KEY = "sandbox-explorer-key"
DATABASE_URL_ENV = "POSTGRES_PRISMA_URL"


def sandbox_env(spec: NetworkSpec, urls: dict[str, str], *, deployer_key: str) -> str:
    """Return the dotenv text with the variables the stages read: RPC URL, keys, tokens and the database URL."""
    values = {spec.rpc_source: urls["rpc"], spec.deployer.private_key_env: deployer_key}
    for _, explorer in spec.block_explorers.listed():
        values[explorer.key_source] = EXPLORER_KEY
    values["NPM_TOKEN"] = SANDBOX_TOKEN
    values["SPHINX_RELAYER__PRIVATE_KEYS"] = RELAYER_PRIVATE_KEY
    if "database" in urls:
        values[DATABASE_URL_ENV] = urls["database"]
    lines = ["# Written by `onboard sandbox up`. The keys are anvil's public development keys.\n"]
    lines += [f"{name}={value}\n" for name, value in values.items()]
    return "".join(lines)


def _containers(urls: dict[str, str], folder: Path) -> dict[str, Any]:
    return {
        "builder": "buildah",
        "registry": urls["images"],
        "namespace": "sphinx",
        "services": list(SERVICES),
        "parallel": 2,
        "tag_latest": True,
        # Stands in for `docker compose pull && docker compose up -d`: records what would be rolled out.
        "rollout_command": ["sh", "-c", f'echo "$SPHINX_IMAGE_REGISTRY $SPHINX_IMAGE_TAG" >> {folder}/rollout.log'],
    }


def sandbox_toml(spec: NetworkSpec, urls: dict[str, str], *, specs_dir: Path, folder: Path) -> str:
    """Return the onboard.toml text that points every stage at the sandbox in `folder`."""
    yarn = ensure_toolchain().bin("yarn")
    config: dict[str, Any] = {
        "state_dir": "state",
        "specs_dir": str(specs_dir),
        "env_file": "sandbox.env",
        "monorepo": {"path": "monorepo"},
        "platform": {"path": "platform"},
        "networks": {"regenerate_command": f"{yarn} generate"},
        "secrets": {"backend": "dotenv", "dotenv": {"path": "deploy/.env"}},
        "deploy": {"timeout_seconds": 900},
        "release": {"registry_url": urls["npm"], "token_env": "NPM_TOKEN", "remote": "origin"},
        "bump": {"remote": "origin"},
    }
    if "images" in urls:
        config["containers"] = _containers(urls, folder)
    if "database" in urls:
        config["register"] = {"database_url_env": DATABASE_URL_ENV}
    header = f"# Written by `onboard sandbox up` for network {spec.name}. Paths are relative to this file.\n"
    return header + tomli_w.dumps(config)
