"""The networks stage on the sandbox monorepo: commit, re-run, dry run, refusals and rollback."""

from __future__ import annotations

import io
from pathlib import Path

import git
import pytest
from rich.console import Console

from onboard import proc
from onboard.errors import ConfigError, StageError
from onboard.stages.networks import NetworksStage

BRANCH = "onboard/unichain"
NETWORKS_TS = Path("packages/contracts/src/networks.ts")
CONSTANTS = Path("packages/contracts/contracts/foundry/SphinxConstants.sol")


@pytest.fixture
def node_env(toolchain) -> dict[str, str]:
    return toolchain.path_env()


def snapshot(monorepo: Path) -> dict[str, bytes]:
    repo = git.Repo(monorepo)
    return {
        "head": repo.head.commit.hexsha.encode(),
        "branch": repo.active_branch.name.encode(),
        "branches": " ".join(sorted(head.name for head in repo.heads)).encode(),
        "status": repo.git.status("--porcelain", "--untracked-files=all").encode(),
        **{str(path): (monorepo / path).read_bytes() for path in (NETWORKS_TS, CONSTANTS, Path("README.md"))},
    }


@pytest.mark.node
def test_apply_commits_on_branch(monorepo, unichain, make_context, node_env):
    ctx = make_context(unichain, monorepo, env=node_env)
    develop = git.Repo(monorepo).heads["develop"].commit.hexsha

    outputs = NetworksStage().apply(ctx)

    repo = git.Repo(monorepo)
    assert outputs["branch"] == BRANCH
    assert outputs["created"] is True
    assert repo.active_branch.name == BRANCH
    assert repo.heads[BRANCH].commit.hexsha == outputs["commit"]
    assert repo.heads["develop"].commit.hexsha == develop
    assert repo.head.commit.parents[0].hexsha == develop
    assert not repo.is_dirty(untracked_files=True)
    changed = sorted(repo.git.diff("--name-only", "develop", BRANCH).splitlines())
    assert changed == sorted([".changeset/onboard-unichain.md", "README.md", str(CONSTANTS), str(NETWORKS_TS),
                              "packages/plugins/foundry.toml"])  # fmt: skip
    assert "  rootstock_testnet,\n  unichain\n}" in (monorepo / CONSTANTS).read_text()
    assert ctx.journal.outputs("networks")["commit"] == outputs["commit"]
    NetworksStage().verify(ctx, outputs)


@pytest.mark.node
def test_rerun_is_noop(monorepo, unichain, make_context, node_env):
    ctx = make_context(unichain, monorepo, env=node_env)
    first = NetworksStage().apply(ctx)

    second = NetworksStage().apply(ctx)
    plan = NetworksStage().plan(ctx)

    assert second["commit"] == first["commit"]
    assert second["created"] is False
    assert plan.changes is False
    assert "already has 'unichain'" in plan.summary
    assert len(list(git.Repo(monorepo).iter_commits(BRANCH))) == 2


def test_rerun_from_develop_is_noop(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="")
    first = NetworksStage().apply(ctx)
    git.Repo(monorepo).heads["develop"].checkout()

    second = NetworksStage().apply(ctx)

    assert second["commit"] == first["commit"]
    assert git.Repo(monorepo).active_branch.name == "develop"


def test_entry_already_on_base_branch_is_noop(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="")
    first = NetworksStage().apply(ctx)
    repo = git.Repo(monorepo)
    repo.heads["develop"].checkout()
    repo.git.merge("--ff-only", BRANCH)
    repo.delete_head(BRANCH, force=True)

    outputs = NetworksStage().apply(ctx)

    assert outputs == {"branch": "develop", "commit": first["commit"], "created": False}
    NetworksStage().verify(ctx, outputs)


def test_plan_writes_nothing(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo)
    before = snapshot(monorepo)

    plan = NetworksStage().plan(ctx)

    assert snapshot(monorepo) == before
    assert plan.changes is True
    assert "+    name: 'unichain',\n" in plan.diff
    assert "+- Unichain\n" in plan.diff
    assert '+unichain = "${UNICHAIN_MAINNET_URL}"\n' in plan.diff
    assert "--- /dev/null\n+++ b/.changeset/onboard-unichain.md\n" in plan.diff
    assert "then runs `yarn generate` in packages/contracts" in plan.details
    assert plan.details[-1].startswith("then commits on new branch onboard/unichain, starting at develop (")
    assert plan.data["branch"] == BRANCH


def test_dirty_checkout_rejected_naming_files(monorepo, unichain, make_context):
    (monorepo / "README.md").write_text("changed\n")
    (monorepo / "notes.txt").write_text("scratch\n")
    ctx = make_context(unichain, monorepo, regenerate_command="")
    before = snapshot(monorepo)

    with pytest.raises(StageError) as caught:
        NetworksStage().apply(ctx)

    assert "changes onboard did not make: README.md, notes.txt" in str(caught.value)
    assert "git stash --include-untracked" in str(caught.value)
    assert snapshot(monorepo) == before
    plan = NetworksStage().plan(ctx)
    assert plan.summary.startswith("apply will stop: the checkout has uncommitted changes (README.md, notes.txt)")
    assert plan.changes is True


FAILING_REGENERATION = (
    "sh -c 'echo broken > contracts/foundry/SphinxConstants.sol; rm scripts/generate.js;"
    " mkdir -p generated/deep; touch generated/deep/x; exit 3'"
)


@pytest.mark.parametrize("command", [FAILING_REGENERATION, "no-such-regenerator --all"])
def test_failing_regeneration_restores_everything(monorepo, unichain, make_context, command):
    ctx = make_context(unichain, monorepo, regenerate_command=command)
    before = snapshot(monorepo)

    with pytest.raises(StageError) as caught:
        NetworksStage().apply(ctx)

    assert "failed in" in str(caught.value)
    assert "every file was restored" in str(caught.value)
    assert snapshot(monorepo) == before
    assert BRANCH not in [head.name for head in git.Repo(monorepo).heads]
    assert (monorepo / "packages/contracts/scripts/generate.js").stat().st_mode & 0o111
    assert not (monorepo / "packages/contracts/generated").exists()


def test_existing_branch_without_entry_rejected(monorepo, unichain, make_context):
    git.Repo(monorepo).create_head(BRANCH)
    ctx = make_context(unichain, monorepo, regenerate_command="")

    with pytest.raises(StageError, match=r"branch onboard/unichain already exists but does not hold"):
        NetworksStage().apply(ctx)


def test_verify_reports_changed_field(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="")
    outputs = NetworksStage().apply(ctx)
    path = monorepo / NETWORKS_TS
    path.write_text(path.read_text().replace("BigInt(130)", "BigInt(131)"))
    repo = git.Repo(monorepo)
    repo.git.add(str(NETWORKS_TS))
    tampered = repo.index.commit("Change the chain id").hexsha

    with pytest.raises(StageError) as caught:
        NetworksStage().verify(ctx, {**outputs, "commit": tampered})

    assert "chainId: found 131, expected 130" in str(caught.value)


def test_verify_reports_missing_side_files(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="")
    outputs = NetworksStage().apply(ctx)
    repo = git.Repo(monorepo)
    repo.git.checkout("develop", "--", "README.md", "packages/plugins/foundry.toml")
    repo.git.rm("-q", ".changeset/onboard-unichain.md")
    reverted = repo.index.commit("Drop the side files").hexsha

    with pytest.raises(StageError) as caught:
        NetworksStage().verify(ctx, {**outputs, "commit": reverted})

    assert "README.md does not list 'Unichain'" in str(caught.value)
    assert "packages/plugins/foundry.toml has no rpc endpoint unichain" in str(caught.value)
    assert ".changeset/onboard-unichain.md is missing" in str(caught.value)


def test_verify_unknown_commit(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo)

    with pytest.raises(StageError, match="commit 'deadbeef' not found"):
        NetworksStage().verify(ctx, {"commit": "deadbeef"})


def test_custom_branch_and_bump(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="", branch="networks/{name}-add", changeset_bump="minor")

    outputs = NetworksStage().apply(ctx)

    assert outputs["branch"] == "networks/unichain-add"
    assert '"@sphinx-labs/core": minor' in (monorepo / ".changeset/onboard-unichain.md").read_text()


@pytest.mark.node
def test_tsc_and_prettier_accept_change(monorepo, unichain, make_context, node_env, toolchain):
    (monorepo / "node_modules").symlink_to(toolchain.node_modules)
    ctx = make_context(unichain, monorepo, env=node_env)
    output = io.StringIO()
    ctx.console = Console(file=output, width=200)

    NetworksStage().apply(ctx)

    assert "tsc accepts packages/contracts/src/networks.ts" in output.getvalue()
    assert "prettier accepts packages/contracts/src/networks.ts" in output.getvalue()
    tsc = str(toolchain.bin("tsc"))
    result = proc.run([tsc, "--noEmit", "-p", "tsconfig.json"], cwd=monorepo / "packages/contracts", check=False)
    assert result.ok, result.stdout


@pytest.mark.node
def test_tsc_rejection_restores_everything(monorepo, unichain, make_context, node_env, toolchain):
    path = monorepo / NETWORKS_TS
    rollup_type = "  rollupStack?: {\n    provider: RollupProvider\n    type: RollupType\n  }\n"
    path.write_text(path.read_text().replace(rollup_type, ""))
    repo = git.Repo(monorepo)
    repo.git.add(str(NETWORKS_TS))
    repo.index.commit("Drop rollupStack from the type")
    (monorepo / "node_modules").symlink_to(toolchain.node_modules)
    ctx = make_context(unichain, monorepo, env=node_env)
    before = snapshot(monorepo)

    with pytest.raises(StageError) as caught:
        NetworksStage().apply(ctx)

    assert "tsc rejects the new entry" in str(caught.value)
    assert "rollupStack" in str(caught.value)
    assert snapshot(monorepo) == before


@pytest.mark.parametrize(
    "setting",
    [
        {"branch": "onboard/{nme}"},
        {"branch": "bad branch/{name}"},
        {"branch": "a..b/{name}"},
        {"branch": "{0}"},
        {"regenerate_command": "yarn 'generate"},
        {"changeset_bump": "huge"},
        {"unknown_key": 1},
    ],
)
def test_invalid_setting_rejected(monorepo, unichain, make_context, setting):
    ctx = make_context(unichain, monorepo, **setting)

    with pytest.raises(ConfigError, match=r"invalid \[networks\] section"):
        NetworksStage().plan(ctx)


def test_commit_message_wrapped(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="")

    outputs = NetworksStage().apply(ctx)

    message = git.Repo(monorepo).commit(outputs["commit"]).message
    subject, blank, *body = message.splitlines()
    assert subject == "Add Unichain to the supported networks"
    assert blank == ""
    assert all(len(line) <= 72 for line in body)
    assert "chain id 130" in message


def test_leftovers_of_killed_run_stashed(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="")
    repo = git.Repo(monorepo)
    ctx.journal.record_outputs("networks", {"writing_at": repo.head.commit.hexsha})
    (monorepo / "README.md").write_text("half written\n")
    (monorepo / "packages" / "contracts" / "src" / ".networks.ts.tmp1234").write_text("partial\n")

    outputs = NetworksStage().apply(ctx)

    assert outputs["created"] is True
    assert "Unichain" in repo.git.show(f"{outputs['commit']}:README.md")
    assert repo.git.stash("list").splitlines() == [
        f"stash@{{0}}: On develop: onboard: files left by an interrupted networks stage at {repo.commit('develop').hexsha[:12]}"
    ]
    assert repo.git.show("stash@{0}:README.md") == "half written"
    assert repo.git.show("stash@{0}^3:packages/contracts/src/.networks.ts.tmp1234") == "partial"


def test_foreign_changes_not_stashed(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="")
    repo = git.Repo(monorepo)
    ctx.journal.record_outputs("networks", {"writing_at": "0" * 40})
    (monorepo / "README.md").write_text("edited by hand\n")

    with pytest.raises(StageError) as caught:
        NetworksStage().apply(ctx)

    assert "has changes onboard did not make: README.md" in str(caught.value)
    assert repo.git.stash("list") == ""


def test_writing_marker_cleared(monorepo, unichain, make_context):
    ctx = make_context(unichain, monorepo, regenerate_command="false")
    with pytest.raises(StageError):
        NetworksStage().apply(ctx)
    assert ctx.journal.outputs("networks")["writing_at"] is None

    ctx = make_context(unichain, monorepo, regenerate_command="")
    outputs = NetworksStage().apply(ctx)

    assert outputs["writing_at"] is None
    assert ctx.journal.outputs("networks")["commit"] == outputs["commit"]
