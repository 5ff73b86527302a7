"""A small client of the Docker Registry HTTP API V2 (the OCI distribution API): reachability, catalog, tag lists,
manifest digests, labels, and retagging a manifest without rebuilding the image.

After a 401 response, the request is sent once more with the login its `WWW-Authenticate` challenge requests
(see registry_auth): Basic credentials, or a Bearer token from the registry's token service, anonymous without
credentials.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests

from onboard.errors import OnboardError
from onboard.hosts import is_loopback
from onboard.images.registry_auth import Credentials, authorization

TIMEOUT_SECONDS = 15.0
MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)
INDEX_TYPES = MANIFEST_TYPES[2:]


def is_loopback_host(address: str) -> bool:
    """Return whether a `host[:port]` registry address names this machine."""
    host = address.rsplit(":", 1)[0] if address.count(":") == 1 else address
    return is_loopback(host.strip("[]"))


class RegistryError(OnboardError):
    """The registry could not be reached or rejected a request."""


@dataclass(frozen=True)
class RegistryClient:
    """A client of one registry at `address` (`host[:port]`). `insecure` selects plain HTTP."""

    address: str
    insecure: bool = False
    credentials: Credentials | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"{'http' if self.insecure else 'https'}://{self.address}/v2"

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}{path}"
        try:
            response = requests.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
            challenge = response.headers.get("WWW-Authenticate")
            if response.status_code != 401 or not challenge:
                return response
            login = authorization(challenge, self.credentials)
            if login is None:
                return response
            headers = {**kwargs.pop("headers", {}), "Authorization": login}
            return requests.request(method, url, timeout=TIMEOUT_SECONDS, headers=headers, **kwargs)
        except requests.RequestException as err:
            raise RegistryError(
                f"registry {self.address} is not reachable ({method} {url})",
                cause=str(err),
                fix=f"start the registry or correct [containers] registry = {self.address!r} in onboard.toml",
            ) from err

    def _expect(self, response: requests.Response, request: str) -> requests.Response:
        if response.status_code >= 400:
            raise RegistryError(
                f"registry {self.address} returned {response.status_code} for {request}",
                cause=response.text[:500] or "empty body",
                fix="check that the repository exists and that the registry user may read and push it",
            )
        return response

    def ping(self) -> None:
        """Raise RegistryError unless the API version check returns 200, or 401 when a login is required."""
        response = self._request("GET", "/")
        if response.status_code not in (200, 401):
            self._expect(response, "GET /v2/")

    def catalog(self) -> list[str]:
        return self._expect(self._request("GET", "/_catalog"), "the catalog request").json()["repositories"] or []

    def tags(self, repository: str) -> list[str]:
        """Return the tags of `repository`, or an empty list when the repository does not exist."""
        response = self._request("GET", f"/{repository}/tags/list")
        if response.status_code == 404:
            return []
        return self._expect(response, f"the tag list of {repository}").json().get("tags") or []

    def manifest_digest(self, repository: str, reference: str) -> str | None:
        """Return the digest `reference` (a tag or digest) resolves to, or None when it does not exist."""
        headers = {"Accept": ", ".join(MANIFEST_TYPES)}
        response = self._request("HEAD", f"/{repository}/manifests/{reference}", headers=headers)
        if response.status_code == 404:
            return None
        self._expect(response, f"HEAD {repository}:{reference}")
        return response.headers.get("Docker-Content-Digest")

    def _manifest(self, repository: str, reference: str) -> tuple[bytes, str]:
        headers = {"Accept": ", ".join(MANIFEST_TYPES)}
        response = self._request("GET", f"/{repository}/manifests/{reference}", headers=headers)
        self._expect(response, f"GET {repository}:{reference}")
        return response.content, response.headers.get("Content-Type", MANIFEST_TYPES[0])

    def retag(self, repository: str, digest: str, tag: str) -> None:
        """Point `tag` at the manifest `digest` by uploading the same manifest under the new tag."""
        body, media_type = self._manifest(repository, digest)
        response = self._request(
            "PUT", f"/{repository}/manifests/{tag}", data=body, headers={"Content-Type": media_type}
        )
        self._expect(response, f"PUT {repository}:{tag}")

    def labels(self, repository: str, reference: str) -> dict[str, str]:
        """Return the labels of the image's configuration (the first platform's, for a multi-platform index)."""
        body, media_type = self._manifest(repository, reference)
        manifest = json.loads(body)
        if media_type in INDEX_TYPES:
            body, _ = self._manifest(repository, manifest["manifests"][0]["digest"])
            manifest = json.loads(body)
        blob = self._request("GET", f"/{repository}/blobs/{manifest['config']['digest']}")
        config = self._expect(blob, f"the configuration blob of {repository}:{reference}").json()
        return dict((config.get("config") or {}).get("Labels") or {})
