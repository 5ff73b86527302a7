"""The containers stage against real buildah and a real docker-registry on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from onboard import proc
from onboard.errors import ConfigError, StageError
from onboard.images import RegistryClient
from onboard.sandbox.anvil import free_port
from onboard.stages.containers import ContainersStage
from tests.containers.conftest import SERVICES, git, write_service
from tests.doubles.http import DoubleServer, Response


def _config(platform_repo: Path, containers: dict) -> dict:
    return {"platform": {"path": str(platform_repo)}, "containers": containers}


def test_all_images_built_tagged_and_pushed(platform_repo, containers_config, make_context, registry, namespace):
    ctx = make_context(_config(platform_repo, containers_config))
    stage = ContainersStage()
    sha = git(platform_repo, "rev-parse", "HEAD")

    plan = stage.plan(ctx)
    assert plan.changes is True
    assert plan.summary == f"3 of 3 images to build or tag in {registry.address}"

    outputs = stage.apply(ctx)

    catalog = requests.get(f"{registry.url}/v2/_catalog", timeout=5).json()["repositories"]
    for service in SERVICES:
        assert f"{namespace}/{service}" in catalog
        tags = requests.get(f"{registry.url}/v2/{namespace}/{service}/tags/list", timeout=5).json()["tags"]
        assert sorted(tags) == sorted(["0.23.1", sha, "latest"])
        record = outputs["images"][service]
        assert record["digest"].startswith("sha256:")
        assert record["action"] == "built"
    assert outputs["changed"] == list(SERVICES)
    assert ctx.journal.outputs("containers")["images"].keys() == set(SERVICES)

    labels = RegistryClient(registry.address, insecure=True).labels(f"{namespace}/relayer", "latest")
    assert labels["onboard.network"] == "unichain"
    assert labels["onboard.chain-id"] == "130"
    assert labels["onboard.contracts-version"] == "0.23.1"
    assert labels["onboard.core-version"] == "0.26.1"
    assert labels["org.opencontainers.image.revision"] == sha
    stage.verify(ctx, outputs)


def test_second_apply_changes_nothing(platform_repo, containers_config, make_context, capsys):
    stage = ContainersStage()
    first = stage.apply(make_context(_config(platform_repo, containers_config)))
    ctx = make_context(_config(platform_repo, containers_config))

    assert stage.plan(ctx).changes is False
    second = stage.apply(ctx)

    assert second["changed"] == []
    assert {s: r["digest"] for s, r in second["images"].items()} == {s: r["digest"] for s, r in first["images"].items()}
    assert "all 3 images are up to date" in capsys.readouterr().err


def test_failed_build_kept_others_and_resumes(platform_repo, containers_config, make_context, registry, namespace):
    write_service(platform_repo, "executor", broken=True)
    git(platform_repo, "commit", "-q", "-am", "Break the executor image")
    stage = ContainersStage()
    ctx = make_context(_config(platform_repo, containers_config))

    with pytest.raises(StageError) as caught:
        stage.apply(ctx)

    assert "1 of 3 images failed: executor" in caught.value.message
    assert "executor:" in caught.value.cause
    partial = ctx.journal.outputs("containers")
    assert sorted(partial["images"]) == ["init", "relayer"]
    assert list(partial["failed"]) == ["executor"]
    catalog = requests.get(f"{registry.url}/v2/_catalog", timeout=5).json()["repositories"]
    assert f"{namespace}/executor" not in catalog
    assert f"{namespace}/relayer" in catalog
    before = {service: partial["images"][service]["digest"] for service in ("init", "relayer")}

    write_service(platform_repo, "executor")
    git(platform_repo, "commit", "-q", "-am", "Fix the executor image")
    fixed_sha = git(platform_repo, "rev-parse", "HEAD")
    outputs = stage.apply(make_context(_config(platform_repo, containers_config)))

    assert outputs["images"]["executor"]["action"] == "built"
    for service in ("init", "relayer"):
        assert outputs["images"][service]["action"] == "retagged"
        assert outputs["images"][service]["digest"] == before[service]
        tags = RegistryClient(registry.address, insecure=True).tags(f"{namespace}/{service}")
        assert fixed_sha in tags
    assert outputs["failed"] == {}


def test_changed_service_alone_rebuilt(platform_repo, containers_config, make_context):
    stage = ContainersStage()
    first = stage.apply(make_context(_config(platform_repo, containers_config)))
    write_service(platform_repo, "relayer", content="relayer v2\n")
    git(platform_repo, "commit", "-q", "-am", "Change the relayer")

    outputs = stage.apply(make_context(_config(platform_repo, containers_config)))

    assert outputs["images"]["relayer"]["action"] == "built"
    assert outputs["images"]["relayer"]["digest"] != first["images"]["relayer"]["digest"]
    assert outputs["images"]["init"]["action"] == "retagged"


def test_registry_down_fails_before_building(platform_repo, containers_config, make_context):
    port = free_port()
    ctx = make_context(_config(platform_repo, {**containers_config, "registry": f"127.0.0.1:{port}"}))

    with pytest.raises(StageError) as caught:
        ContainersStage().apply(ctx)

    assert (
        caught.value.message
        == f"stage containers: registry 127.0.0.1:{port} is not reachable (GET http://127.0.0.1:{port}/v2/)"
    )
    assert "start the registry" in caught.value.fix
    assert ctx.journal.outputs("containers") == {}


def test_uncommitted_changes_rejected(platform_repo, containers_config, make_context):
    (platform_repo / "services" / "relayer" / "app.txt").write_text("edited\n", encoding="utf-8")

    with pytest.raises(StageError) as caught:
        ContainersStage().apply(make_context(_config(platform_repo, containers_config)))

    assert "has uncommitted changes" in caught.value.message
    assert "services/relayer/app.txt" in caught.value.cause


def test_rollout_and_health_checks_once(platform_repo, containers_config, make_context, tmp_path):
    marker = tmp_path / "rolled-out"
    health = DoubleServer()
    health.route("GET", "/healthz", lambda request: Response(200, {"status": "ok"}))
    command = ["sh", "-c", f'echo "$SPHINX_IMAGE_REGISTRY $SPHINX_IMAGE_TAG" >> {marker}']
    containers = {**containers_config, "rollout_command": command}
    stage = ContainersStage()

    with health:
        health_url = f"{health.url}/healthz"
        containers["health_urls"] = [health_url]
        outputs = stage.apply(make_context(_config(platform_repo, containers)))
        again = stage.apply(make_context(_config(platform_repo, containers)))

    lines = marker.read_text(encoding="utf-8").splitlines()
    assert lines == [f"{containers['registry']}/{containers['namespace']} 0.23.1"]
    assert outputs["rollout"]["health"] == [{"url": health_url, "status": 200}]
    assert again["rollout"]["command"] == command


def test_failing_health_check_reported(platform_repo, containers_config, make_context):
    health = DoubleServer()
    health.route("GET", "/healthz", lambda request: Response(503, {"status": "starting"}))
    with health:
        containers = {**containers_config, "health_urls": [f"{health.url}/healthz"], "health_timeout": 0.5}
        with pytest.raises(StageError) as caught:
            ContainersStage().apply(make_context(_config(platform_repo, containers)))

    assert "1 health check(s) failed" in caught.value.message
    assert "503" in caught.value.cause


def test_invalid_section_key_rejected(platform_repo, containers_config, make_context):
    ctx = make_context(_config(platform_repo, {**containers_config, "paralel": 3}))

    with pytest.raises(ConfigError) as caught:
        ContainersStage().plan(ctx)

    assert "paralel" in caught.value.cause


def test_rollout_failure_retried_without_rebuild(platform_repo, containers_config, make_context, tmp_path):
    switch = tmp_path / "rollout-fails"
    switch.write_text("", encoding="utf-8")
    command = ["sh", "-c", f'if [ -e {switch} ]; then echo "compose: no such service" >&2; exit 3; fi']
    containers = {**containers_config, "rollout_command": command}
    stage = ContainersStage()

    with pytest.raises(StageError) as caught:
        stage.apply(make_context(_config(platform_repo, containers)))
    assert "rollout command failed with exit code 3" in caught.value.message
    assert "compose: no such service" in caught.value.cause

    switch.unlink()
    outputs = stage.apply(make_context(_config(platform_repo, containers)))
    assert outputs["changed"] == []
    assert outputs["rollout"]["command"] == command


def test_image_deleted_from_registry_rebuilt(platform_repo, containers_config, make_context, registry, namespace):
    stage = ContainersStage()
    first = stage.apply(make_context(_config(platform_repo, containers_config)))
    digest = first["images"]["init"]["digest"]
    deleted = requests.delete(f"{registry.url}/v2/{namespace}/init/manifests/{digest}", timeout=5)
    assert deleted.status_code == 202

    ctx = make_context(_config(platform_repo, containers_config))
    with pytest.raises(StageError):
        stage.verify(ctx, first)
    outputs = stage.apply(ctx)

    assert outputs["changed"] == ["init"]
    assert outputs["images"]["init"]["action"] == "built"
    stage.verify(ctx, outputs)


def test_versions_from_release_outputs(platform_repo, containers_config, make_context, registry, namespace):
    ctx = make_context(_config(platform_repo, containers_config))
    ctx.journal.record_outputs(
        "release", {"versions": {"@sphinx-labs/contracts": "0.23.2", "@sphinx-labs/core": "0.26.2"}}
    )

    outputs = ContainersStage().apply(ctx)

    assert outputs["images"]["relayer"]["tags"][0] == "0.23.2"
    labels = RegistryClient(registry.address, insecure=True).labels(f"{namespace}/relayer", "0.23.2")
    assert labels["onboard.core-version"] == "0.26.2"


def test_checkout_without_bump_commit_rejected(platform_repo, containers_config, make_context):
    git(platform_repo, "switch", "-q", "-c", "onboard/unichain")
    (platform_repo / "yarn.lock").write_text("# yarn lockfile v1\n# bumped\n", encoding="utf-8")
    git(platform_repo, "commit", "-q", "-am", "Bump the Sphinx packages")
    bump_commit = git(platform_repo, "rev-parse", "HEAD")
    git(platform_repo, "switch", "-q", "main")
    ctx = make_context(_config(platform_repo, containers_config))
    ctx.journal.record_outputs("bump", {"branch": "onboard/unichain", "commit": bump_commit})

    with pytest.raises(StageError) as caught:
        ContainersStage().apply(ctx)

    assert f"does not contain the bump commit {bump_commit[:12]}" in caught.value.message
    assert "switch onboard/unichain" in caught.value.fix


def test_mismatched_pins_rejected(platform_repo, containers_config, make_context):
    manifest = platform_repo / "services" / "init" / "package.json"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("^0.23.1", "^0.23.0"), encoding="utf-8")
    git(platform_repo, "commit", "-q", "-am", "Pin an older contracts version")

    with pytest.raises(StageError) as caught:
        ContainersStage().plan(make_context(_config(platform_repo, containers_config)))

    assert "pins @sphinx-labs/contracts at different versions" in caught.value.message
    assert "services/init/package.json 0.23.0" in caught.value.message


def test_moved_latest_tag_pointed_back(platform_repo, containers_config, make_context, registry, namespace):
    stage = ContainersStage()
    first = stage.apply(make_context(_config(platform_repo, containers_config)))
    store = ["--storage-driver", "vfs", "--root", containers_config["storage_root"]]
    store += ["--runroot", containers_config["storage_runroot"]]
    init_image = f"{registry.address}/{namespace}/init:0.23.1"
    proc.run(
        [
            "buildah",
            *store,
            "push",
            "--tls-verify=false",
            init_image,
            f"docker://{registry.address}/{namespace}/relayer:latest",
        ]
    )
    client = RegistryClient(registry.address, insecure=True)
    assert client.manifest_digest(f"{namespace}/relayer", "latest") != first["images"]["relayer"]["digest"]

    outputs = stage.apply(make_context(_config(platform_repo, containers_config)))

    assert outputs["changed"] == ["relayer"]
    assert outputs["images"]["relayer"]["action"] == "retagged"
    assert client.manifest_digest(f"{namespace}/relayer", "latest") == first["images"]["relayer"]["digest"]
