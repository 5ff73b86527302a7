"""The sandbox monorepo: the upstream layout, one commit on develop, and a working `yarn generate`."""

from __future__ import annotations

import json

import git
import pytest

from onboard import proc
from onboard.monorepo.networks_file import DEPRECATED_ARRAY, LIVE_ARRAY, read_networks_file
from onboard.sandbox.monorepo import build_monorepo


def test_layout_and_versions(monorepo):
    root = json.loads((monorepo / "package.json").read_text())
    contracts = json.loads((monorepo / "packages/contracts/package.json").read_text())
    plugins = json.loads((monorepo / "packages/plugins/package.json").read_text())
    core = json.loads((monorepo / "packages/core/package.json").read_text())
    changesets = json.loads((monorepo / ".changeset/config.json").read_text())

    assert root["workspaces"]["packages"] == ["packages/*"]
    assert (contracts["name"], contracts["version"]) == ("@sphinx-labs/contracts", "0.23.0")
    assert (plugins["name"], plugins["version"]) == ("@sphinx-labs/plugins", "0.33.0")
    assert core["name"] == "@sphinx-labs/core"
    assert core["dependencies"]["@sphinx-labs/contracts"] == "^0.23.0"
    assert changesets["baseBranch"] == "develop"
    assert "[rpc_endpoints]" in (monorepo / "packages/plugins/foundry.toml").read_text()
    assert "## Networks Supported" in (monorepo / "README.md").read_text()


def test_single_commit_on_develop(monorepo):
    repo = git.Repo(monorepo)

    assert repo.active_branch.name == "develop"
    assert [head.name for head in repo.heads] == ["develop"]
    assert len(list(repo.iter_commits())) == 1
    assert not repo.is_dirty(untracked_files=True)


def test_networks_file_shapes(monorepo):
    networks = read_networks_file(monorepo)
    source = networks.source.decode()
    live = networks.entries(LIVE_ARRAY)

    assert len(live) >= 6
    assert len({entry.keys for entry in live}) > 1
    assert "(10_500_000).toString()" in source
    assert "rpcUrl: () => `${process.env." in source
    assert "blockexplorers: {}," in source
    assert "  // OP Stack chains\n" in source
    assert any("etherscan" in entry.values["blockexplorers"] for entry in live)
    assert any("blockscout" in entry.values["blockexplorers"] for entry in live)
    assert networks.entries(DEPRECATED_ARRAY)


@pytest.mark.node
def test_yarn_generate_reproduces_constants(monorepo, toolchain):
    proc.run(["yarn", "generate"], cwd=monorepo / "packages/contracts", env=toolchain.path_env(), timeout=120)

    assert not git.Repo(monorepo).is_dirty(untracked_files=True)


def test_build_rejects_non_empty_folder(tmp_path):
    (tmp_path / "file").write_text("x")

    with pytest.raises(FileExistsError, match="is not empty"):
        build_monorepo(tmp_path)
