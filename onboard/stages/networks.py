"""The `networks` stage: add the network to the Sphinx monorepo on a branch, as a maintainer would by hand.

It appends the SPHINX_NETWORKS entry to packages/contracts/src/networks.ts, runs the regeneration command,
lists the network in the README and in packages/plugins/foundry.toml, adds a changeset, and commits on
`onboard/<name>`. Any failure before the commit restores every file.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import git
from pydantic import Field, field_validator

from onboard.config import Section, repo_path
from onboard.errors import OnboardError, StageError
from onboard.monorepo import foundry, gitops, readme
from onboard.monorepo.apply import apply_change, commit_message
from onboard.monorepo.change import FOUNDRY_TOML, README, MonorepoChange, compute_change
from onboard.monorepo.changeset import changeset_path
from onboard.monorepo.entry import differences, expected_values
from onboard.monorepo.networks_file import LIVE_ARRAY, NETWORKS_TS, NetworksFile
from onboard.spec import NetworkSpec
from onboard.stages.base import Context, Plan, Stage

# A conservative subset of what `git check-ref-format --branch` accepts.
_BRANCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


class NetworksSection(Section):
    """`[networks]` in onboard.toml."""

    branch: str = Field(default="onboard/{name}", description="Branch to commit on, where {name} is the network.")
    regenerate_command: str = Field(
        default="yarn generate", description="Command that rewrites generated files, or empty to skip it."
    )
    regenerate_cwd: str = Field(
        default="packages/contracts", description="Folder the command runs in, relative to the monorepo."
    )
    changeset_bump: Literal["patch", "minor", "major"] = "patch"

    @field_validator("branch")
    @classmethod
    def _branch(cls, value: str) -> str:
        try:
            example = value.format(name="example")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may contain no placeholder other than {name}") from None
        if not _BRANCH_NAME.fullmatch(example) or ".." in example or example.endswith((".lock", "/")):
            raise ValueError("must be a valid git branch name such as onboard/{name}")
        return value

    @field_validator("regenerate_command")
    @classmethod
    def _command(cls, value: str) -> str:
        try:
            shlex.split(value)
        except ValueError as err:
            raise ValueError(f"is not a valid shell-style command ({err})") from None
        return value


class NetworksStage(Stage):
    name = "networks"
    description = "add the network to SPHINX_NETWORKS, the README, foundry.toml and a changeset, on a branch"

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        return {"spec": ctx.spec.model_dump(mode="json"), "networks": _section(ctx).model_dump()}

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        return f"commit {str(outputs.get('commit'))[:12]} on {outputs.get('branch')}"

    def plan(self, ctx: Context) -> Plan:
        monorepo, repo, branch = _open(ctx)
        existing = _branch_with_entry(repo, branch, ctx)
        if existing is not None:
            return Plan(self.name, f"branch {branch} already has '{ctx.spec.name}' at {existing[:12]}", False)

        dirty = gitops.dirty_paths(repo)
        refusal = f"apply will stop: the checkout has uncommitted changes ({gitops.describe_paths(dirty)})"
        change = _compute(ctx, monorepo)
        if not change.changes and not dirty:
            return Plan(self.name, f"'{ctx.spec.name}' is already in the monorepo, nothing to do", False,
                        details=change.notes)  # fmt: skip

        details = list(change.notes)
        section = _section(ctx)
        if change.touches_networks and section.regenerate_command:
            details.append(f"then runs `{section.regenerate_command}` in {section.regenerate_cwd}")
        start = gitops.current_branch(repo) or "detached HEAD"
        details.append(f"then commits on new branch {branch}, starting at {start} ({repo.head.commit.hexsha[:12]})")
        if dirty:
            details.append(refusal)
        files = [change.path.as_posix() for change in change.changes]
        summary = refusal if dirty else f"add '{ctx.spec.name}' to the monorepo: {', '.join(files)}"
        return Plan(self.name, summary, True, tuple(details), change.diff(), {"branch": branch, "files": files})

    def apply(self, ctx: Context) -> dict[str, Any]:
        monorepo, repo, branch = _open(ctx)
        existing = _branch_with_entry(repo, branch, ctx)
        if existing is not None:
            ctx.console.print(f"networks: branch {branch} already has '{ctx.spec.name}', nothing to do")
            return {"branch": branch, "commit": existing, "created": False}

        interrupted_at = ctx.outputs_of(self.name).get("writing_at")
        _stash_interrupted_files(ctx, repo, interrupted_at)
        gitops.require_clean(repo, stage=self.name, interrupted_at=interrupted_at)
        change = _compute(ctx, monorepo)
        if not change.changes:
            ctx.console.print(f"networks: '{ctx.spec.name}' is already in the monorepo, nothing to do")
            return {"branch": gitops.current_branch(repo), "commit": repo.head.commit.hexsha, "created": False}

        section = _section(ctx)
        # Recorded so that a run killed before the commit can tell the operator whose files are left.
        ctx.journal.record_outputs(self.name, {"writing_at": repo.head.commit.hexsha})
        try:
            sha = apply_change(
                monorepo,
                repo,
                change,
                branch=branch,
                message=commit_message(ctx.spec),
                regenerate=shlex.split(section.regenerate_command),
                regenerate_cwd=monorepo / section.regenerate_cwd,
                env=dict(ctx.env),
                console=ctx.console,
            )
        except OnboardError as err:
            ctx.journal.record_outputs(self.name, {"writing_at": None})
            raise StageError(self.name, err.message, cause=err.cause, fix=err.fix) from err
        outputs = {"branch": branch, "commit": sha, "created": True, "writing_at": None,
                   "files": [item.path.as_posix() for item in change.changes]}  # fmt: skip
        ctx.journal.record_outputs(self.name, outputs)
        ctx.console.print(f"networks: committed {sha[:12]} on branch {branch}")
        return outputs

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        monorepo, repo, _ = _open(ctx)
        commit = str(outputs.get("commit") or "")
        problems = verify_commit(repo, commit, ctx, expect_changeset=bool(outputs.get("created")))
        if problems:
            raise StageError(
                self.name,
                f"commit {commit[:12] or '(none)'} in {monorepo} does not hold the expected '{ctx.spec.name}' entry",
                cause="; ".join(problems),
                fix="check the branch by hand; delete it and the journal's networks record to redo the stage",
            )


def _stash_interrupted_files(ctx: Context, repo: git.Repo, interrupted_at: str | None) -> None:
    """Stash what a killed run of this stage left uncommitted, so the stage can start again from a clean tree.

    The tree was clean when that run recorded `writing_at`, so while HEAD is still there the changes are its
    files. A stash rather than a reset keeps any edit made by hand since then.
    """
    if interrupted_at is None or interrupted_at != repo.head.commit.hexsha or not gitops.dirty_paths(repo):
        return
    message = f"onboard: files left by an interrupted networks stage at {interrupted_at[:12]}"
    stash = gitops.stash_all(repo, message=message)
    ctx.console.print(f"networks: an earlier run stopped before its commit; its files are saved in {stash}")


def _section(ctx: Context) -> NetworksSection:
    return ctx.config.section("networks", NetworksSection)


def _open(ctx: Context) -> tuple[Path, git.Repo, str]:
    monorepo = repo_path(ctx.config, "monorepo")
    return monorepo, gitops.open_repo(monorepo), _section(ctx).branch.format(name=ctx.spec.name)


def _compute(ctx: Context, monorepo: Path) -> MonorepoChange:
    try:
        return compute_change(monorepo, ctx.spec, bump=_section(ctx).changeset_bump)
    except StageError:
        raise
    except OnboardError as err:
        raise StageError(NetworksStage.name, err.message, cause=err.cause, fix=err.fix) from err


def _branch_with_entry(repo: git.Repo, branch: str, ctx: Context) -> str | None:
    """Return the tip of `branch` when it already contains the spec's entry. Raise when it exists without it."""
    if not gitops.has_branch(repo, branch):
        return None
    tip = repo.heads[branch].commit.hexsha
    problems = verify_commit(repo, tip, ctx, networks_only=True)
    if problems:
        raise StageError(
            NetworksStage.name,
            f"branch {branch} already exists but does not hold the expected '{ctx.spec.name}' entry",
            cause="; ".join(problems),
            fix=f"delete it (`git branch -D {branch}`) or set [networks] branch to another name, then run again",
        )
    return tip


def verify_commit(
    repo: git.Repo, commit: str, ctx: Context, *, networks_only: bool = False, expect_changeset: bool = False
) -> list[str]:
    """Return what is wrong with the network's entry, rpc endpoint and changeset in `commit`."""
    try:
        source = gitops.read_blob(repo, commit, NETWORKS_TS)
    except (ValueError, git.BadName) as err:
        return [f"commit {commit!r} not found ({err})"]
    if source is None:
        return [f"{NETWORKS_TS} is missing"]
    try:
        entries = NetworksFile(source, path=f"{commit[:12]}:{NETWORKS_TS}").entries(LIVE_ARRAY)
    except OnboardError as err:
        return [err.message]
    matching = [entry for entry in entries if entry.name == ctx.spec.name]
    if not matching:
        return [f"{LIVE_ARRAY} has no entry named '{ctx.spec.name}'"]
    problems = differences(matching[0].values, expected_values(ctx.spec))
    if networks_only:
        return problems
    return problems + _side_file_problems(repo, commit, ctx.spec, expect_changeset=expect_changeset)


def _side_file_problems(repo: git.Repo, commit: str, spec: NetworkSpec, *, expect_changeset: bool) -> list[str]:
    """Return what is missing from the README, foundry.toml and changeset in `commit`: the edits that
    would still add something there."""
    problems = []
    readme_text = gitops.read_blob(repo, commit, README)
    if readme_text is not None:
        edit = readme.add_network(readme_text.decode("utf-8"), display_name=spec.display_name,
                                  network_type=spec.network_type)  # fmt: skip
        if edit.text is not None:
            problems.append(f"{README} does not list '{spec.display_name}'")
    foundry_text = gitops.read_blob(repo, commit, FOUNDRY_TOML)
    if foundry_text is not None:
        try:
            endpoint = foundry.add_rpc_endpoint(foundry_text.decode("utf-8"), name=spec.name,
                                                rpc_url_id=spec.rpc_url_id, path=str(FOUNDRY_TOML))  # fmt: skip
        except OnboardError as err:
            problems.append(err.message)
        else:
            if endpoint.text is not None:
                problems.append(f"{FOUNDRY_TOML} has no rpc endpoint {spec.name}")
    if expect_changeset and gitops.read_blob(repo, commit, changeset_path(spec.name)) is None:
        problems.append(f"{changeset_path(spec.name)} is missing")
    return problems
