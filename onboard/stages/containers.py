"""Stage `containers`: build and push the platform's service images, check the relayer's balances, roll out.

Images are built from the platform root with `services/<service>/Dockerfile`, tagged with the contracts version,
the commit SHA and optionally `latest`, labelled with the network and the versions, and pushed to the configured
registry. Each finished image is recorded in the journal at once, so a re-run rebuilds only what failed or
changed.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from onboard.config import repo_path
from onboard.errors import OnboardError, StageError
from onboard.fsutil import atomic_write
from onboard.images import BuildOutcome, ContainersSection, RegistryClient, choose_builder
from onboard.images.registry_auth import Credentials, auth_file_json
from onboard.images.relayer import read_relayer, report_relayer
from onboard.images.rollout import run_rollout, wait_healthy
from onboard.images.source import (
    CONTRACTS_PACKAGE,
    CORE_PACKAGE,
    check_clean,
    check_contains_commit,
    git_sha,
    sphinx_version,
)
from onboard.images.work import BUILD, RETAG, UNCHANGED, ServiceWork, Versions, plan_work
from onboard.stages.base import Context, Plan, Stage

NAME = "containers"


class ContainersStage(Stage):
    name = NAME
    description = "Build and push the service images, check the relayer's balances, roll out"

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        settings = ctx.config.section(NAME, ContainersSection)
        return {"spec": ctx.spec.model_dump(mode="json"), "containers": settings.model_dump(mode="json")}

    def _versions(self, ctx: Context, root: Path) -> Versions:
        recorded = [ctx.outputs_of("release"), ctx.outputs_of("bump")]
        contracts = sphinx_version(root, recorded, CONTRACTS_PACKAGE)
        if contracts is None:
            raise StageError(
                NAME,
                f"no {CONTRACTS_PACKAGE} version found: the release stage recorded none and no platform "
                "package.json names the package",
                fix="run the release and bump stages first",
            )
        return Versions(sha=git_sha(root), contracts=contracts, core=sphinx_version(root, recorded, CORE_PACKAGE))

    def _work(self, ctx: Context, *, check_registry: bool) -> tuple[ContainersSection, list[ServiceWork]]:
        settings = ctx.config.section(NAME, ContainersSection)
        root = repo_path(ctx.config, "platform")
        registry = _registry(ctx, settings) if check_registry else None
        work = plan_work(
            settings=settings,
            root=root,
            builder=settings.builder,
            network=ctx.spec.name,
            chain_id=ctx.spec.chain_id,
            versions=self._versions(ctx, root),
            recorded=ctx.outputs_of(NAME).get("images") or {},
            registry=registry,
        )
        return settings, work

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        images = outputs.get("images") or {}
        return f"{len(images)} images in {outputs.get('registry')}, {len(outputs.get('changed') or [])} built or tagged"

    def plan(self, ctx: Context) -> Plan:
        settings, work = self._work(ctx, check_registry=False)
        pending = [item for item in work if item.action != UNCHANGED]
        details = [
            f"{item.action:9} {item.request.references[0]} (+{len(item.request.tags) - 1} tags)" for item in work
        ]
        if settings.rollout_command:
            details.append("then run: " + " ".join(settings.rollout_command))
        summary = (
            f"{len(pending)} of {len(work)} images to build or tag in {settings.registry}"
            if pending
            else f"all {len(work)} images are up to date in {settings.registry}"
        )
        return Plan(
            NAME, summary, bool(pending), tuple(details), data={"actions": {i.request.service: i.action for i in work}}
        )

    def apply(self, ctx: Context) -> dict[str, Any]:
        settings = ctx.config.section(NAME, ContainersSection)
        root = repo_path(ctx.config, "platform")
        check_clean(root)
        bump = ctx.outputs_of("bump")
        check_contains_commit(root, bump.get("commit"), bump.get("branch"))
        relayer = read_relayer(ctx, settings)
        registry = _registry(ctx, settings)
        try:
            registry.ping()
        except OnboardError as err:
            raise StageError(NAME, err.message, cause=err.cause, fix=err.fix) from err

        _, work = self._work(ctx, check_registry=True)
        images = dict(ctx.outputs_of(NAME).get("images") or {})
        images = {service: record for service, record in images.items() if service in settings.services}
        failed = self._publish(ctx, settings, registry, work, images)
        if failed:
            raise StageError(
                NAME,
                f"{len(failed)} of {len(work)} images failed: {', '.join(sorted(failed))}",
                cause="\n".join(f"{service}: {_summary(error)}" for service, error in sorted(failed.items())),
                fix="fix the cause and run again; images already pushed are kept and not rebuilt",
            )

        outputs: dict[str, Any] = {"registry": settings.registry, "images": images, "failed": {}}
        outputs["relayer"] = report_relayer(ctx, settings, relayer)
        outputs["rollout"] = self._rollout(ctx, settings, root, images)
        changed = [item.request.service for item in work if item.action != UNCHANGED]
        outputs["changed"] = changed
        if not changed:
            ctx.console.print(f"containers: all {len(work)} images are up to date in {settings.registry}")
        return outputs

    def _publish(
        self,
        ctx: Context,
        settings: ContainersSection,
        registry: RegistryClient,
        work: list[ServiceWork],
        images: dict[str, Any],
    ) -> dict[str, str]:
        """Retag or build what needs it, recording every finished image; return {service: error} of failures."""
        failed: dict[str, str] = {}
        to_build = [item for item in work if item.action == BUILD]
        for item in work:
            if item.action == RETAG and not self._retag(registry, item, images):
                to_build.append(item)
        by_service = {item.request.service: item for item in to_build}

        def record(outcome: BuildOutcome) -> None:
            item = by_service[outcome.service]
            if outcome.ok:
                images[outcome.service] = _record(item, str(outcome.digest), "built")
                failed.pop(outcome.service, None)
                ctx.console.print(f"containers: pushed {item.request.references[0]} ({outcome.digest})")
            else:
                images.pop(outcome.service, None)
                failed[outcome.service] = outcome.error or "unknown error"
                ctx.console.print(f"containers: [red]failed[/red] {outcome.service}")
            ctx.journal.record_outputs(NAME, {"images": images, "failed": failed})

        if not to_build:
            return failed
        token = self._github_token(ctx, settings)
        with tempfile.TemporaryDirectory(prefix="onboard-login-") as folder:
            auth_file = _write_auth_file(Path(folder), settings.registry, registry.credentials)
            builder = choose_builder(
                settings,
                env=ctx.env,
                github_token=token,
                resolve=ctx.config.resolve,
                auth_file=auth_file,
                registry_credentials=registry.credentials,
                github_ref=ctx.outputs_of("bump").get("branch"),
            )
            builder.publish([item.request for item in to_build], parallel=settings.parallel, on_done=record)
        return failed

    def _retag(self, registry: RegistryClient, item: ServiceWork, images: dict[str, Any]) -> bool:
        digest = str(item.previous["digest"])
        try:
            for tag in item.missing_tags:
                registry.retag(item.request.repository, digest, tag)
        except OnboardError:
            return False
        images[item.request.service] = _record(item, digest, "retagged")
        return True

    def _github_token(self, ctx: Context, settings: ContainersSection) -> str | None:
        if settings.github is None:
            return None
        return ctx.secret(settings.github.token_env, purpose="a GitHub token with actions:write", stage=NAME)

    def _rollout(self, ctx: Context, settings: ContainersSection, root: Path, images: dict[str, Any]) -> dict[str, Any]:
        digests = {service: record["digest"] for service, record in sorted(images.items())}
        previous = ctx.outputs_of(NAME).get("rollout") or {}
        if not settings.rollout_command:
            result: dict[str, Any] = {"command": None}
        elif previous.get("digests") == digests and previous.get("command"):
            ctx.console.print("containers: rollout already done for these images")
            result = dict(previous)
        else:
            cwd = ctx.config.resolve(settings.rollout_cwd) if settings.rollout_cwd else root
            first = next(iter(images.values()), {})
            env = {"SPHINX_IMAGE_REGISTRY": f"{settings.registry}/{settings.namespace}"}
            tags = list(first.get("tags") or ["", ""])
            env.update({"SPHINX_IMAGE_TAG": str(tags[0]), "SPHINX_IMAGE_SHA": str(tags[1])})
            tail = run_rollout(settings.rollout_command, cwd=cwd, env=env, timeout=settings.rollout_timeout)
            result = {"command": list(settings.rollout_command), "digests": digests, "output": tail}
        ctx.journal.record_outputs(NAME, {"rollout": result})
        if settings.health_urls:
            health = wait_healthy(settings.health_urls, timeout=settings.health_timeout)
            result = {**result, "health": [{"url": h.url, "status": h.status} for h in health]}
        return result

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        settings = ctx.config.section(NAME, ContainersSection)
        registry = _registry(ctx, settings)
        problems = []
        for service in settings.services:
            record = (outputs.get("images") or {}).get(service)
            if not record:
                problems.append(f"{service}: no image recorded")
                continue
            try:
                problems += _image_problems(registry, settings, service, record, network=ctx.spec.name)
            except OnboardError as err:
                problems.append(f"{service}: {err.message}")
        if problems:
            raise StageError(
                NAME,
                f"the registry {settings.registry} does not contain the recorded images",
                cause="; ".join(problems),
                fix="run the stage again to rebuild and push them",
            )


def _image_problems(
    registry: RegistryClient, settings: ContainersSection, service: str, record: Mapping[str, Any], *, network: str
) -> list[str]:
    """Compare every recorded tag of one image with the registry, then its network label."""
    repository = settings.repository(service)
    problems = []
    for tag in record["tags"]:
        digest = registry.manifest_digest(repository, tag)
        if digest != record["digest"]:
            problems.append(f"{repository}:{tag} is {digest or 'missing'}, expected {record['digest']}")
    if problems or not settings.labels_applied:
        return problems
    label = registry.labels(repository, record["digest"]).get("onboard.network")
    if label != network:
        problems.append(f"{repository}@{record['digest']} has label onboard.network={label!r}, expected {network!r}")
    return problems


def _summary(error: str) -> str:
    """Return an error's first line and the last line of its cause, which is usually the tool's own message."""
    lines = [line for line in error.splitlines() if line.strip()]
    details = [line for line in lines[1:] if not line.startswith("fix: ")]
    if not details:
        return lines[0] if lines else "unknown error"
    return f"{lines[0]} ({details[-1].removeprefix('cause: ').strip()})"


def _registry(ctx: Context, settings: ContainersSection) -> RegistryClient:
    """Return the registry client, with the login from the configured variables when both are set."""
    credentials = None
    if settings.registry_username_env and settings.registry_password_env:
        username = ctx.secret(settings.registry_username_env, purpose="the registry user", stage=NAME)
        password = ctx.secret(settings.registry_password_env, purpose="the registry password", stage=NAME)
        credentials = Credentials(username, password)
    return RegistryClient(settings.registry, insecure=settings.insecure, credentials=credentials)


def _write_auth_file(folder: Path, registry: str, credentials: Credentials | None) -> Path | None:
    """Write the login for buildah and podman to a file only this user can read; the caller deletes it."""
    if credentials is None:
        return None
    path = folder / "auth.json"
    atomic_write(path, json.dumps(auth_file_json(registry, credentials)), mode=0o600)
    return path


def _record(item: ServiceWork, digest: str, action: str) -> dict[str, Any]:
    return {
        "digest": digest,
        "fingerprint": item.fingerprint,
        "tags": list(item.request.tags),
        "references": list(item.request.references),
        "action": action,
    }
