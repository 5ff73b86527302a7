"""Choose the image builder: the configured one, or the first that works on this machine."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

from onboard import proc
from onboard.errors import CommandError, ConfigError
from onboard.images.base import ImageBuilder
from onboard.images.github import GitHubWorkflowBuilder
from onboard.images.local import DockerBuildxBuilder, OciToolBuilder, default_isolation
from onboard.images.registry_auth import Credentials
from onboard.images.settings import ContainersSection

DETECT_TIMEOUT_SECONDS = 20.0


def _docker_works(env: Mapping[str, str]) -> bool:
    """Return whether docker has the buildx plugin and a running daemon."""
    if shutil.which("docker", path=env.get("PATH")) is None:
        return False
    try:
        for args in (["docker", "buildx", "version"], ["docker", "info", "--format", "{{.ID}}"]):
            if not proc.run(args, env=env, check=False, timeout=DETECT_TIMEOUT_SECONDS).ok:
                return False
    except CommandError:
        return False
    return True


def detect_builder(env: Mapping[str, str]) -> str:
    """Return the first of docker (buildx), podman and buildah that can build here."""
    if _docker_works(env):
        return "docker"
    for tool in ("podman", "buildah"):
        if shutil.which(tool, path=env.get("PATH")):
            return tool
    raise ConfigError(
        "no image builder found: docker with buildx and a running daemon, podman and buildah are all missing",
        fix='apt-get install -y buildah, or set [containers] builder = "github" to build on GitHub Actions',
    )


def choose_builder(
    settings: ContainersSection,
    *,
    env: Mapping[str, str],
    github_token: str | None = None,
    resolve: Callable[[str], Path] = Path,
    auth_file: Path | None = None,
    registry_credentials: Credentials | None = None,
    github_ref: str | None = None,
) -> ImageBuilder:
    """Return the builder `settings.builder` names; "auto" detects one. "github" needs `github_token`.

    `resolve` turns the configured storage folders into paths (the stage resolves them against onboard.toml).
    `auth_file` is a containers-auth.json file with the registry login, for buildah and podman. The GitHub
    builder reads the pushed digests from the registry with `registry_credentials`, and runs the workflow on
    `[containers.github] ref`, else on `github_ref` (the bump stage's branch).
    """
    name = detect_builder(env) if settings.builder == "auto" else settings.builder
    if name == "github":
        if settings.github is None or not github_token:
            raise ConfigError(
                '[containers] builder = "github" needs a [containers.github] section and its token',
                fix='add [containers.github] with repository = "owner/name" and export the token variable',
            )
        github = settings.github
        ref = github.ref or github_ref
        if not ref:
            raise ConfigError(
                "no branch to run the image workflow on: [containers.github] ref is not set and the bump stage "
                "recorded no branch",
                fix='set [containers.github] ref = "<branch>" in onboard.toml',
            )
        return GitHubWorkflowBuilder(
            repository=github.repository,
            workflow=github.workflow,
            ref=ref,
            token=github_token,
            api_url=github.api_url,
            inputs=github.inputs,
            poll_interval=github.poll_interval,
            timeout=github.timeout,
            registry_credentials=registry_credentials,
        )
    if name == "docker":
        return DockerBuildxBuilder(env=dict(env))
    isolation = settings.isolation or default_isolation(env)
    return OciToolBuilder(
        executable=name,
        storage_driver=settings.storage_driver,
        root=None if settings.storage_root is None else resolve(settings.storage_root),
        runroot=None if settings.storage_runroot is None else resolve(settings.storage_runroot),
        isolation=isolation,
        auth_file=auth_file,
        env=dict(env),
    )
