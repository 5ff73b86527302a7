"""Secrets backends behind one interface, and the plain function that picks one from `[secrets]`."""

from __future__ import annotations

from collections.abc import Mapping

from onboard.config import Config
from onboard.errors import ConfigError
from onboard.redact import register_secret
from onboard.secrets.base import (
    MISSING,
    ApprovalRequired,
    Fingerprinter,
    Observed,
    SecretBackend,
    SecretRef,
)
from onboard.secrets.settings import SecretsSection


def _credential(env: Mapping[str, str], variable: str, *, purpose: str, secret: bool = True) -> str:
    value = env.get(variable, "")
    if not value:
        raise ConfigError(
            f"environment variable {variable} is missing or empty",
            cause=f"it must hold {purpose}",
            fix=f"export {variable}=... (or name another variable in [secrets]), then run again",
        )
    if secret:
        register_secret(value)
    return value


def open_backend(
    section: SecretsSection, *, config: Config, env: Mapping[str, str], fingerprint: Fingerprinter
) -> SecretBackend:
    """Return the backend `section.backend` names, with its credentials read from `env`."""
    if section.backend == "infisical" and section.infisical is not None:
        from onboard.secrets.infisical import InfisicalClient
        from onboard.secrets.infisical_backend import InfisicalBackend

        settings = section.infisical
        client = InfisicalClient(
            settings,
            client_id=_credential(env, settings.client_id_env, purpose="the Infisical machine identity's client id",
                                  secret=False),
            client_secret=_credential(env, settings.client_secret_env,
                                      purpose="the Infisical machine identity's client secret"),
        )
        return InfisicalBackend(client, fingerprint=fingerprint)
    if section.backend == "dotenv" and section.dotenv is not None:
        from onboard.secrets.dotenv import DotenvBackend

        return DotenvBackend(config.resolve(section.dotenv.path), fingerprint=fingerprint)
    if section.backend == "github" and section.github is not None:
        from onboard.secrets.github import GitHubSecretsBackend

        settings = section.github
        token = _credential(env, settings.token_env, purpose="a GitHub token allowed to write Actions secrets")
        return GitHubSecretsBackend(settings, token=token, fingerprint=fingerprint)
    raise ConfigError(f"[secrets] backend = {section.backend!r} has no settings table",
                      fix=f"add [secrets.{section.backend}] to onboard.toml")


__all__ = [
    "MISSING",
    "ApprovalRequired",
    "Fingerprinter",
    "Observed",
    "SecretBackend",
    "SecretRef",
    "SecretsSection",
    "open_backend",
]
