"""Pushing to a registry that requires a login: the real docker-registry with htpasswd authentication."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from onboard.errors import StageError
from onboard.images import RegistryClient, RegistryError
from onboard.images.registry_auth import Credentials
from onboard.sandbox.registry import Registry, htpasswd_auth, start_registry, token_auth
from onboard.stages.containers import ContainersStage
from tests.containers.conftest import SERVICES
from tests.containers.token_double import ISSUER, SERVICE, TokenService

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
    with start_registry(folder=folder / "registry", auth=htpasswd_auth(htpasswd)) as running:
        yield running


@pytest.fixture(scope="module")
def token_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TokenService]:
    with TokenService(tmp_path_factory.mktemp("token-service"), USER, PASSWORD) as service:
        yield service


@pytest.fixture(scope="module")
def token_registry(tmp_path_factory: pytest.TempPathFactory, token_service: TokenService) -> Iterator[Registry]:
    auth = token_auth(
        realm=token_service.realm, service=SERVICE, issuer=ISSUER, root_certificate=token_service.certificate
    )
    with start_registry(folder=tmp_path_factory.mktemp("token-registry"), auth=auth) as running:
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


def test_bearer_token_used_for_push_and_verify(
    platform_repo, containers_config, make_context, token_registry, token_service, namespace
):
    env = {"PATH": os.environ["PATH"], "REGISTRY_USER": USER, "REGISTRY_PASSWORD": PASSWORD}
    ctx = make_context(_data(platform_repo, containers_config, token_registry), env=env)

    outputs = ContainersStage().apply(ctx)
    ContainersStage().verify(ctx, outputs)

    scopes = {seen["scope"] for seen in token_service.requests_seen if seen["authenticated"] == "True"}
    assert f"repository:{namespace}/relayer:pull,push" in scopes
    client = RegistryClient(token_registry.address, insecure=True, credentials=Credentials(USER, PASSWORD))
    assert sorted(client.tags(f"{namespace}/relayer")) == sorted(outputs["images"]["relayer"]["tags"])


def test_bearer_anonymous_read_rejected(token_registry, namespace):
    with pytest.raises(RegistryError) as caught:
        RegistryClient(token_registry.address, insecure=True).tags(f"{namespace}/relayer")

    assert "returned 401" in caught.value.message
