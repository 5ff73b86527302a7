"""A git repository shaped like the Sphinx monorepo, for the tests and the demo.

It has yarn 1 workspaces under `packages/` (contracts, core, plugins) and changesets with base branch
`develop`. Its networks.ts has the upstream shapes: both explorer kinds, `{}` explorers, comments, a
template-string rpcUrl, a hard-coded Merkle leaf gas and deprecated networks. `yarn generate` rewrites
`contracts/foundry/SphinxConstants.sol` from it with plain node.
"""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import git

from onboard import proc
from onboard.sandbox.core_package import write_core_package

CONTRACTS_VERSION = "0.23.0"
PLUGINS_VERSION = "0.33.0"
BASE_BRANCH = "develop"
SANDBOX_AUTHOR = ("Sandbox Maintainer", "maintainer@sandbox.invalid")

_GITIGNORE = "node_modules\ndist/\nout/\ncache/\n.env\n"
# The formatting upstream's files follow: no semicolons, single quotes, trailing commas where ES5 allows.
_PRETTIER = {"semi": False, "singleQuote": True, "trailingComma": "es5", "arrowParens": "always"}
_TSCONFIG = {
    "compilerOptions": {
        "target": "es2020",
        "module": "commonjs",
        "moduleResolution": "node",
        "strict": True,
        "declaration": True,
        "outDir": "dist",
        "skipLibCheck": True,
    },
    "include": ["src/**/*.ts"],
}
_CHANGESET_CONFIG = {
    "$schema": "https://unpkg.com/@changesets/config@2.3.1/schema.json",
    "changelog": "@changesets/cli/changelog",
    "commit": False,
    "fixed": [],
    "linked": [],
    "access": "public",
    "baseBranch": BASE_BRANCH,
    "updateInternalDependencies": "patch",
    "ignore": [],
}


def _template(name: str) -> str:
    return (resources.files("onboard.sandbox") / "templates" / "monorepo" / name).read_text(encoding="utf-8")


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _write_text(path: Path, text: str, *, executable: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if executable:
        path.chmod(0o755)


def _write_root(dest: Path) -> None:
    _write_json(
        dest / "package.json",
        {
            "name": "sphinx",
            "private": True,
            "license": "MIT",
            "workspaces": {"packages": ["packages/*"]},
            "scripts": {"generate": "yarn workspace @sphinx-labs/contracts generate"},
            "devDependencies": {"@changesets/cli": "^2.31.0", "prettier": "^3.0.0", "typescript": "^5.4.0"},
        },
    )
    _write_text(dest / ".gitignore", _GITIGNORE)
    _write_json(dest / ".prettierrc", _PRETTIER)
    _write_json(dest / ".changeset" / "config.json", _CHANGESET_CONFIG)
    _write_text(dest / ".changeset" / "README.md", "# Changesets\n\nOne Markdown file per pending release note.\n")
    _write_text(dest / "README.md", _template("README.md"))


def _write_contracts(package: Path) -> None:
    _write_json(
        package / "package.json",
        {
            "name": "@sphinx-labs/contracts",
            "version": CONTRACTS_VERSION,
            "license": "MIT",
            "main": "dist/index.js",
            "types": "dist/index.d.ts",
            "scripts": {"generate": "node scripts/generate.js", "build": "tsc -p tsconfig.json"},
        },
    )
    _write_json(package / "tsconfig.json", _TSCONFIG)
    _write_text(package / "src" / "networks.ts", _template("networks.ts"))
    _write_text(package / "src" / "index.ts", "export * from './networks'\n")
    _write_text(package / "scripts" / "generate.js", _template("generate.js"), executable=True)
    proc.run(["node", "scripts/generate.js"], cwd=package, timeout=60)


def _write_plugins(package: Path) -> None:
    _write_json(
        package / "package.json",
        {
            "name": "@sphinx-labs/plugins",
            "version": PLUGINS_VERSION,
            "license": "MIT",
            "main": "dist/index.js",
            "dependencies": {
                "@sphinx-labs/contracts": f"^{CONTRACTS_VERSION}",
                "@sphinx-labs/core": "^0.26.0",
            },
        },
    )
    _write_text(package / "foundry.toml", _template("foundry.toml"))


def build_monorepo(dest: Path) -> Path:
    """Create the sandbox monorepo at `dest` (which must not exist or be empty) and return its path.

    The result is a git repository with one commit on branch `develop` and a local author identity.
    """
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; choose a new folder for the sandbox monorepo")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        _write_root(dest)
        _write_contracts(dest / "packages" / "contracts")
        write_core_package(dest / "packages" / "core", contracts_version=CONTRACTS_VERSION)
        _write_plugins(dest / "packages" / "plugins")
        _commit_all(dest)
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return dest


def _commit_all(dest: Path) -> None:
    repo = git.Repo.init(dest, initial_branch=BASE_BRANCH)
    with repo.config_writer() as config:
        config.set_value("user", "name", SANDBOX_AUTHOR[0])
        config.set_value("user", "email", SANDBOX_AUTHOR[1])
    repo.git.add("--all")
    repo.index.commit("Initial commit of the sandbox monorepo")
    repo.close()
