"""Pushing to a registry that requires a login: the real docker-registry with htpasswd authentication."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from onboard.errors import StageError
from onboard.sandbox.registry import Registry, start_registry
from onboard.stages.containers import ContainersStage
from tests.containers.conftest import SERVICES

USER = "deployer"
PASSWORD = "Registry-Pass-7781"


def _bcrypt(password: str) -> str:
    """Hash with the system's crypt(3), which supports bcrypt on Debian; the module is gone in Python 3.13."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        crypt = pytest.importorskip("crypt", reason="the crypt module hashes the htpasswd entry")
    # 16 rounds (bcrypt cost 4), because the registry checks the hash on every request.
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16))


@pytest.fixture(scope="module")
def login_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    folder = tmp_path_factory.mktemp("login-registry")
    htpasswd = folder / "htpasswd"
    htpasswd.write_text(f"{USER}:{_bcrypt(PASSWORD)}\n", encoding="utf-8")
    with start_registry(folder=folder / "registry", htpasswd=htpasswd) as running:
        yield running


def _data(platform_repo: Path, containers_config: dict, registry: Registry) -> dict:
    containers = {
        **containers_config,
        "registry": registry.address,
        "registry_username_env": "REGISTRY_USER",
        "registry_password_env": "REGISTRY_PASSWORD",
    }
    return {"platform": {"path": str(platform_repo)}, "containers": containers}


def test_login_used_for_push_and_verify(platform_repo, containers_config, make_context, login_registry, namespace):
    env = {"PATH": os.environ["PATH"], "REGISTRY_USER": USER, "REGISTRY_PASSWORD": PASSWORD}
    ctx = make_context(_data(platform_repo, containers_config, login_registry), env=env)

    outputs = ContainersStage().apply(ctx)
    ContainersStage().verify(ctx, outputs)

    assert requests.get(f"{login_registry.url}/v2/_catalog", timeout=5).status_code == 401
    catalog = requests.get(f"{login_registry.url}/v2/_catalog", auth=(USER, PASSWORD), timeout=5).json()
    for service in SERVICES:
        assert f"{namespace}/{service}" in catalog["repositories"]
    assert PASSWORD not in ctx.journal.path.read_text(encoding="utf-8")


def test_wrong_password_fails_every_push(platform_repo, containers_config, make_context, login_registry):
    env = {"PATH": os.environ["PATH"], "REGISTRY_USER": USER, "REGISTRY_PASSWORD": "not-the-password"}
    ctx = make_context(_data(platform_repo, containers_config, login_registry), env=env)

    with pytest.raises(StageError) as caught:
        ContainersStage().apply(ctx)

    assert "3 of 3 images failed" in caught.value.message
    assert "unauthorized: authentication required" in caught.value.cause
    assert "not-the-password" not in str(caught.value)
    assert ctx.journal.outputs("containers")["images"] == {}
