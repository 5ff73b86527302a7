"""The GitHub workflow builder against a double of the GitHub Actions API whose job builds with real buildah."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from onboard.errors import ConfigError, StageError
from onboard.images import BuildRequest
from onboard.images.github import GitHubWorkflowBuilder
from onboard.images.local import OciToolBuilder
from onboard.stages.containers import ContainersStage
from tests.containers.conftest import SERVICES, git
from tests.containers.github_double import GitHubActionsDouble

TOKEN = "ghp_doubletoken0123456789abcdef"
INPUTS = {
    "services": "{services}",
    "tags": "{tags}",
    "registry": "{registry}",
    "namespace": "{namespace}",
    "labels": "{labels}",
}


def _workflow_job(platform_repo: Path, containers_config: Mapping[str, str]):
    """What the platform's workflow does: build every listed service and push it under every tag."""
    builder = OciToolBuilder(
        executable="buildah",
        storage_driver="vfs",
        root=Path(containers_config["storage_root"]),
        runroot=Path(containers_config["storage_runroot"]),
        isolation="chroot",
    )

    def job(inputs: Mapping[str, str]) -> bool:
        requests = [
            BuildRequest(
                service=service,
                context=platform_repo,
                dockerfile=f"services/{service}/Dockerfile",
                registry=inputs["registry"],
                repository=f"{inputs['namespace']}/{service}",
                tags=tuple(inputs["tags"].split(",")),
                labels=dict(line.split("=", 1) for line in inputs["labels"].splitlines()),
                insecure=True,
            )
            for service in inputs["services"].split(",")
        ]
        return all(outcome.ok for outcome in builder.publish(requests, parallel=2))

    return job


def _config(platform_repo: Path, containers_config: dict, api_url: str, **github: object) -> dict:
    section = {"repository": "acme/sphinx-platform", "api_url": api_url, "inputs": INPUTS, "poll_interval": 0.01}
    containers = {**containers_config, "builder": "github", "github": {**section, **github}}
    return {"platform": {"path": str(platform_repo)}, "containers": containers}


def _double(platform_repo: Path, declared: frozenset[str], job, **heads: str) -> GitHubActionsDouble:
    """A double whose `main` branch is at the platform checkout's HEAD, plus any other `heads`."""
    branch_heads = {"main": git(platform_repo, "rev-parse", "HEAD"), **heads}
    return GitHubActionsDouble("acme/sphinx-platform", "publish.yaml", TOKEN, declared, job, branch_heads)


def _env() -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "GITHUB_TOKEN": TOKEN}


def test_github_workflow_publishes_images(platform_repo, containers_config, make_context, registry, namespace):
    sha = git(platform_repo, "rev-parse", "HEAD")
    job = _workflow_job(platform_repo, containers_config)
    double = _double(platform_repo, frozenset(INPUTS), job, **{"onboard/unichain": sha})

    with double:
        ctx = make_context(_config(platform_repo, containers_config, double.server.url), env=_env())
        ctx.journal.record_outputs("bump", {"branch": "onboard/unichain", "commit": sha})
        outputs = ContainersStage().apply(ctx)
        ContainersStage().verify(ctx, outputs)

    assert len(double.runs) == 1
    run = double.runs[0]
    assert run.branch == "onboard/unichain"
    assert run.inputs["services"] == ",".join(SERVICES)
    assert run.inputs["tags"] == f"0.23.1,{sha},latest"
    assert run.inputs["registry"] == registry.address
    assert run.inputs["namespace"] == namespace
    assert "onboard.network=unichain" in run.inputs["labels"].splitlines()
    assert run.conclusion == "success"
    for service in SERVICES:
        assert outputs["images"][service]["digest"].startswith("sha256:")
    assert TOKEN not in ctx.journal.path.read_text(encoding="utf-8")


def test_github_failed_run_fails_every_image(platform_repo, containers_config, make_context):
    double = _double(platform_repo, frozenset(INPUTS), lambda inputs: False)

    with double:
        ctx = make_context(_config(platform_repo, containers_config, double.server.url, ref="main"), env=_env())
        with pytest.raises(StageError) as caught:
            ContainersStage().apply(ctx)

    assert "3 of 3 images failed" in caught.value.message
    run_id = double.runs[0].id
    assert f"workflow run {run_id} finished with conclusion 'failure'" in caught.value.cause
    assert sorted(ctx.journal.outputs("containers")["failed"]) == sorted(SERVICES)


def test_github_unexpected_inputs_reported(platform_repo, containers_config, make_context):
    double = _double(platform_repo, frozenset(), lambda inputs: True)

    with double:
        ctx = make_context(_config(platform_repo, containers_config, double.server.url, ref="main"), env=_env())
        with pytest.raises(StageError) as caught:
            ContainersStage().apply(ctx)

    failed = ctx.journal.outputs("containers")["failed"]["relayer"]
    assert "GitHub returned 422" in failed
    assert 'Unexpected inputs provided: ["labels", "namespace", "registry", "services", "tags"]' in failed
    assert "workflow_dispatch" in failed
    assert double.runs == []
    assert caught.value.stage == "containers"


def test_github_other_commit_rejected(platform_repo, containers_config, make_context):
    double = _double(platform_repo, frozenset(INPUTS), lambda inputs: True, release="0" * 40)

    with double:
        ctx = make_context(_config(platform_repo, containers_config, double.server.url, ref="release"), env=_env())
        with pytest.raises(StageError) as caught:
            ContainersStage().apply(ctx)

    assert "builds commit 000000000000 of release" in caught.value.cause
    assert double.runs[0].conclusion is None


def test_github_without_ref_rejected(platform_repo, containers_config, make_context):
    ctx = make_context(_config(platform_repo, containers_config, "http://127.0.0.1:9"), env=_env())

    with pytest.raises(ConfigError) as caught:
        ContainersStage().apply(ctx)

    assert "no branch to run the image workflow on" in caught.value.message


def test_github_bad_token_reported(platform_repo):
    double = _double(platform_repo, frozenset(), lambda inputs: True)
    with double:
        builder = GitHubWorkflowBuilder(
            repository="acme/sphinx-platform",
            workflow="publish.yaml",
            ref="main",
            token="wrong-token",
            api_url=double.server.url,
            poll_interval=0.01,
        )
        request = BuildRequest("relayer", Path("."), "services/relayer/Dockerfile", "127.0.0.1:1", "x/relayer", ("t",))
        outcome = builder.publish([request])[0]

    assert not outcome.ok
    assert "GitHub returned 401" in outcome.error
    assert "Bad credentials" in outcome.error
