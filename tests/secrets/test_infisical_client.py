"""The Infisical client on its own: not-found cases, login handling and URL forms."""

from __future__ import annotations

import pytest

from onboard.errors import OnboardError
from onboard.secrets.infisical import FolderNotFound, InfisicalClient, api_root, trim_like_infisical
from onboard.secrets.settings import InfisicalSettings


@pytest.fixture
def client(infisical):
    settings = InfisicalSettings(url=infisical.url, project_id=infisical.project_id,
                                 environment=infisical.environment, timeout_seconds=2)
    infisical_client = InfisicalClient(settings, client_id=infisical.client_id, client_secret=infisical.client_secret)
    yield infisical_client
    infisical_client.close()


def test_missing_secret_in_existing_folder_is_none(client, infisical):
    infisical.folders.add("/RPC")

    assert client.get_secret("/RPC", "ABSENT_URL") is None


def test_missing_folder_raises_folder_not_found(client):
    with pytest.raises(FolderNotFound, match="folder /RPC does not exist in environment prod") as caught:
        client.get_secret("/RPC", "ANY_URL")

    assert "Folder with path '/RPC'" in caught.value.cause


def test_batch_into_missing_folder_raises_folder_not_found(client):
    with pytest.raises(FolderNotFound, match="disappeared"):
        client.upsert_secrets("/RPC", {"A_URL": "https://a.example"})


def test_login_happens_once_for_many_calls(client, infisical):
    infisical.folders.add("/RPC")

    client.folder_names()
    client.get_secret("/RPC", "A")
    client.get_secret("/RPC", "B")

    assert infisical.logins == 1


def test_token_stays_out_of_the_client_repr(client, infisical):
    client.login()

    token = next(iter(infisical.tokens))
    assert token not in repr(client.__dict__.get("settings"))
    assert token not in str(vars(client._api))


def test_locked_identity_is_reported_without_retry(infisical):
    infisical.failed_logins = infisical.lockout_after
    settings = InfisicalSettings(url=infisical.url, project_id=infisical.project_id, environment="prod")
    client = InfisicalClient(settings, client_id=infisical.client_id, client_secret=infisical.client_secret)

    with pytest.raises(OnboardError, match="locked due to repeated failed login attempts"):
        client.folder_names()

    assert len(infisical.requests_to("POST", "/api/v1/auth")) == 1


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("https://infisical.example.com", "https://infisical.example.com/api"),
        ("https://infisical.example.com/", "https://infisical.example.com/api"),
        ("https://infisical.example.com/api", "https://infisical.example.com/api"),
        ("https://example.com/secrets/api/", "https://example.com/secrets/api"),
    ],
)
def test_api_root_accepts_both_url_forms(url, root):
    assert api_root(url) == root


@pytest.mark.parametrize(
    ("value", "stored"),
    [("  key  ", "key"), ("key\n", "key\n"), (" multi\nline \n", "multi\nline\n"), ("plain", "plain")],
)
def test_trim_matches_the_server(value, stored):
    assert trim_like_infisical(value) == stored


def test_double_rejects_requests_missing_the_project(infisical):
    import requests

    login = requests.post(f"{infisical.url}/api/v1/auth/universal-auth/login", timeout=5,
                          json={"clientId": infisical.client_id, "clientSecret": infisical.client_secret})
    token = login.json()["accessToken"]

    reply = requests.get(f"{infisical.url}/api/v4/secrets/X", params={"environment": "prod"}, timeout=5,
                         headers={"Authorization": f"Bearer {token}"})

    body = reply.json()
    assert reply.status_code == 422
    assert body["error"] == "ValidationFailure"
    assert body["message"][0]["path"] == ["projectId"]
    assert sorted(body) == ["error", "message", "reqId", "statusCode"]


def test_double_requires_a_token(infisical):
    import requests

    reply = requests.get(f"{infisical.url}/api/v2/folders", params={"path": "/"}, timeout=5)

    assert reply.status_code == 401
    assert reply.json()["error"] == "UnauthorizedError"
