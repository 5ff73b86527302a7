"""The one error hierarchy. Every expected failure is an OnboardError with a message, a cause and a fix."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    INCOMPATIBLE = 3
    INTERRUPTED = 130


class OnboardError(Exception):
    """An expected failure: what failed, why, and the next thing the operator should do."""

    exit_code = ExitCode.FAILURE
    # The plan of the stage that raised during a dry run, when it has one to show beside the error.
    plan: object | None = None

    def __init__(self, message: str, *, cause: str | None = None, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause
        self.fix = fix

    def render(self) -> str:
        lines = [self.message]
        if self.cause:
            lines.append(f"cause: {self.cause}")
        if self.fix:
            lines.append(f"fix: {self.fix}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class UsageError(OnboardError):
    """A command-line value is invalid, such as an unknown stage name."""

    exit_code = ExitCode.USAGE


class ConfigError(OnboardError):
    """The configuration file or an ONBOARD_* variable is invalid."""


@dataclass(frozen=True)
class Problem:
    """One invalid field of a network spec: where it is, the value found and how to fix it."""

    path: str
    value: object
    message: str
    fix: str

    def render(self) -> str:
        return f"{self.path} = {self.value!r}: {self.message} (fix: {self.fix})"


class SpecError(OnboardError):
    """A network spec is invalid. Carries every problem found, not only the first."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        body = "\n".join(f"  - {problem.render()}" for problem in problems)
        super().__init__(
            f"network spec {source} is invalid ({count} {noun}):\n{body}",
            fix=f"edit {source}, then run `onboard spec validate {source}`",
        )


class RpcError(OnboardError):
    """The RPC endpoint failed in a way no retry fixes."""


class CommandError(OnboardError):
    """A child process failed or could not be started."""


class LockError(OnboardError):
    """Another run has the lock of this network."""


class StageError(OnboardError):
    """A pipeline stage failed in plan, apply or verify."""

    def __init__(self, stage: str, message: str, *, cause: str | None = None, fix: str | None = None) -> None:
        super().__init__(f"stage {stage}: {message}", cause=cause, fix=fix)
        self.stage = stage


class PendingApproval(StageError):
    """A change waits for a human approval outside onboard; the run stops until it is granted."""


class IncompatibleChain(OnboardError):
    """The compatibility check found at least one failing finding that the spec does not waive."""

    exit_code = ExitCode.INCOMPATIBLE
