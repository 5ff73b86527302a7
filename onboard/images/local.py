"""Builders that run on this machine: buildah and podman (daemonless, same command line) and docker buildx."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from onboard import proc
from onboard.errors import CommandError
from onboard.images.base import BuildRequest, ImageBuilder

BUILD_TIMEOUT_SECONDS = 3600.0
PUSH_TIMEOUT_SECONDS = 1800.0
DIGEST_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")
OCI_RUNTIMES = ("runc", "crun")


def default_isolation(env: Mapping[str, str]) -> str | None:
    """Return "chroot" when no OCI runtime is installed, so buildah and podman build without one."""
    if any(shutil.which(runtime, path=env.get("PATH")) for runtime in OCI_RUNTIMES):
        return None
    return "chroot"


def _label_args(labels: Mapping[str, str]) -> list[str]:
    return [argument for key, value in sorted(labels.items()) for argument in ("--label", f"{key}={value}")]


def _read_digest(path: Path, source: str) -> str:
    digest = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    if not DIGEST_PATTERN.match(digest):
        raise CommandError(f"{source} returned no image digest", cause=f"digest file contains {digest!r}")
    return digest


@dataclass
class OciToolBuilder(ImageBuilder):
    """buildah or podman: `build`, then `push --digestfile` once per tag.

    `storage_driver`, `root` and `runroot` select the local image store. The `vfs` driver works where overlay
    mounts are not allowed, such as inside some containers. `isolation` is "chroot" where no OCI runtime exists.
    """

    executable: str = "buildah"
    storage_driver: str | None = None
    root: Path | None = None
    runroot: Path | None = None
    isolation: str | None = None
    auth_file: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.executable.rsplit("/", 1)[-1]

    def _global_args(self) -> list[str]:
        args = [self.executable]
        if self.storage_driver:
            args += ["--storage-driver", self.storage_driver]
        if self.root:
            args += ["--root", str(self.root)]
        if self.runroot:
            args += ["--runroot", str(self.runroot)]
        return args

    def publish_one(self, request: BuildRequest) -> str:
        login = ["--authfile", str(self.auth_file)] if self.auth_file else []
        build = [*self._global_args(), "build", *login, "-f", request.dockerfile]
        if self.isolation:
            build += ["--isolation", self.isolation]
        for reference in request.references:
            build += ["-t", reference]
        build += [*_label_args(request.labels), str(request.context)]
        proc.run(build, cwd=request.context, env=self.env, timeout=BUILD_TIMEOUT_SECONDS)

        digest = ""
        with tempfile.TemporaryDirectory(prefix="onboard-push-") as folder:
            for index, reference in enumerate(request.references):
                digest_file = Path(folder) / f"digest-{index}"
                push = [*self._global_args(), "push", *login, f"--tls-verify={'false' if request.insecure else 'true'}"]
                push += ["--digestfile", str(digest_file), reference, f"docker://{reference}"]
                proc.run(push, env=self.env, timeout=PUSH_TIMEOUT_SECONDS)
                digest = _read_digest(digest_file, f"{self.name} push {reference}")
        return digest


@dataclass
class DockerBuildxBuilder(ImageBuilder):
    """`docker buildx build` with the push in the same command; the digest comes from the metadata file.

    NOTE: not exercised by the tests here, which have no Docker daemon. For a plain-HTTP registry the daemon or
    the buildx builder must also list it as insecure; `registry.insecure=true` covers the docker-container driver.
    Registry logins come from `docker login`, not from the [containers] credential variables.
    """

    name: ClassVar[str] = "docker"
    executable: str = "docker"
    env: Mapping[str, str] = field(default_factory=dict)

    def publish_one(self, request: BuildRequest) -> str:
        with tempfile.TemporaryDirectory(prefix="onboard-buildx-") as folder:
            metadata_file = Path(folder) / "metadata.json"
            output = f'type=image,"name={",".join(request.references)}",push=true'
            if request.insecure:
                output += ",registry.insecure=true"
            args = [self.executable, "buildx", "build", "-f", request.dockerfile, "--output", output]
            args += [*_label_args(request.labels), "--metadata-file", str(metadata_file), str(request.context)]
            proc.run(args, cwd=request.context, env=self.env, timeout=BUILD_TIMEOUT_SECONDS)
            try:
                metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as err:
                raise CommandError("docker buildx wrote no readable metadata file", cause=str(err)) from err
        digest = str(metadata.get("containerimage.digest", ""))
        if not DIGEST_PATTERN.match(digest):
            raise CommandError("docker buildx returned no image digest", cause=f"metadata: {metadata}")
        return digest
