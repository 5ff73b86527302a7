"""The pipeline stage interface (plan, apply, verify) and the context a stage runs in."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Console

from onboard.errors import StageError
from onboard.redact import register_secret

if TYPE_CHECKING:
    from onboard.config import Config
    from onboard.journal import Journal
    from onboard.spec import NetworkSpec


@dataclass(frozen=True)
class Plan:
    """The changes a stage would make. `changes` is False when the stage has nothing left to do."""

    stage: str
    summary: str
    changes: bool
    details: tuple[str, ...] = ()
    diff: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    # A ready Markdown section for the report, where the stage renders its own (the compatibility findings).
    markdown: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "summary": self.summary,
            "changes": self.changes,
            "details": list(self.details),
            "diff": self.diff,
            "data": dict(self.data),
        }


@dataclass
class Context:
    """Everything a stage may read: the spec, the configuration, the journal and the environment."""

    spec: NetworkSpec
    config: Config
    journal: Journal
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    dry_run: bool = False
    assume_yes: bool = False
    console: Console = field(default_factory=lambda: Console(stderr=True, soft_wrap=True))
    options: dict[str, Any] = field(default_factory=dict)
    # Plan data of the stages a dry run has planned so far, standing in for outputs they have not recorded yet.
    planned: dict[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def state_dir(self) -> Path:
        """The network's folder under the state directory: journal, logs and reports."""
        return self.journal.folder

    def secret(self, variable: str, *, purpose: str, stage: str) -> str:
        """Read a secret from the environment, register it for redaction and return it."""
        value = self.env.get(variable, "")
        if not value:
            raise StageError(
                stage,
                f"environment variable {variable} is missing or empty",
                cause=f"it must hold {purpose}",
                fix=f"export {variable}=... (or set it in the CI environment), then run again",
            )
        register_secret(value)
        return value

    def outputs_of(self, stage: str) -> Mapping[str, Any]:
        """Return the recorded outputs of an earlier stage, or an empty mapping when it has not run.

        In a dry run, a stage that has not run yet contributes its plan's data instead (such as the versions the
        release stage would publish), so later plans can show what they would really do.
        """
        recorded = self.journal.outputs(stage)
        if not recorded and self.dry_run:
            return self.planned.get(stage, {})
        return recorded


class Stage(ABC):
    """One step of `onboard network NAME`. Every stage is idempotent: a second apply changes nothing."""

    name: ClassVar[str]
    description: ClassVar[str]
    # Stages that only read (spec, compat) do their reading in plan(), so a dry run shows their real result.
    read_only: ClassVar[bool] = False

    def summarize(self, outputs: Mapping[str, Any]) -> str:
        """Return one line describing recorded outputs, for the console, `status` and reports."""
        return str(outputs.get("summary") or "done")

    def inputs(self, ctx: Context) -> Mapping[str, Any]:
        """Return what the stage's result depends on; its hash is recorded in the journal."""
        return {"spec": ctx.spec.model_dump(mode="json")}

    @abstractmethod
    def plan(self, ctx: Context) -> Plan:
        """Describe what apply would change, without writing anything."""

    @abstractmethod
    def apply(self, ctx: Context) -> dict[str, Any]:
        """Make the change and return the outputs to record (commit SHAs, hashes, versions)."""

    @abstractmethod
    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        """Check the result independently of apply; raise StageError when it does not hold."""
