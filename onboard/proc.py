"""The one subprocess wrapper: git hooks aside, every child process (npx, yarn, buildah, node) starts here.

Secrets reach children only through their environment. The wrapper refuses an argument list that contains a
registered secret, logs every command redacted, and on failure shows the command, exit code and stderr tail.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from onboard.errors import CommandError
from onboard.redact import MASK, redact

log = logging.getLogger("onboard.proc")

STDERR_TAIL_LINES = 20

# Descriptors every child inherits. The network lock is one: children run in their own sessions, so they
# outlive a SIGKILL of onboard, and while they hold the lock's descriptor no second run can start beside them.
_inherited_fds: set[int] = set()


def inherit_fd(descriptor: int) -> None:
    """Let every child started from now on inherit `descriptor`."""
    _inherited_fds.add(descriptor)


def forget_fd(descriptor: int) -> None:
    _inherited_fds.discard(descriptor)


@dataclass(frozen=True)
class Result:
    """The outcome of a finished child process, with its output already decoded."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _child_env(env: Mapping[str, str] | None, inherit: bool) -> dict[str, str]:
    merged = dict(os.environ) if inherit else {"PATH": os.environ.get("PATH", "")}
    merged.update(env or {})
    return merged


def find_executable(name: str, env: Mapping[str, str]) -> str:
    """Return the absolute path of `name` on the child's PATH, or raise with the install hint."""
    if os.sep in name:
        if os.access(name, os.X_OK):
            return name
        raise CommandError(f"{name} is not an executable file", fix=f"check the path {name}")
    found = shutil.which(name, path=env.get("PATH"))
    if found is None:
        raise CommandError(
            f"command not found: {name}",
            cause="it is not on PATH",
            fix=f"install {name} or add its folder to PATH, then run again",
        )
    return found


def _check_args(args: Sequence[str]) -> None:
    for arg in args:
        if MASK in redact(arg) and MASK not in arg:
            raise CommandError(
                "refusing to start a command with a secret in its arguments",
                cause="arguments are visible to every user through the process table",
                fix="pass the value through the child's environment",
            )


def describe(args: Sequence[str]) -> str:
    return redact(" ".join(args))


def _tail(text: str) -> str:
    return "\n".join(redact(text).splitlines()[-STDERR_TAIL_LINES:])


def run(
    args: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    inherit_env: bool = True,
    timeout: float | None = None,
    check: bool = True,
    input: str | None = None,
) -> Result:
    """Run a command to completion and return its result.

    `env` is added to the child's environment (the whole parent environment unless `inherit_env` is false).
    With `check`, a non-zero exit raises CommandError showing the command, code and stderr tail.
    """
    child_env = _child_env(env, inherit_env)
    argv = [find_executable(args[0], child_env), *args[1:]]
    _check_args(argv)
    log.debug("run: %s (cwd=%s)", describe(args), cwd or os.getcwd())

    started = time.monotonic()
    returncode, stdout, stderr = _communicate(argv, args, cwd=cwd, env=child_env, input=input, timeout=timeout)
    result = Result(tuple(args), returncode, stdout, stderr)
    log.debug("exit %d after %.1f s: %s", result.returncode, time.monotonic() - started, describe(args))
    # Redacting a megabyte of output takes seconds, so it is done only when the debug log records it.
    if log.isEnabledFor(logging.DEBUG):
        if result.stdout:
            log.debug("stdout:\n%s", redact(result.stdout))
        if result.stderr:
            log.debug("stderr:\n%s", redact(result.stderr))
    if check and not result.ok:
        raise CommandError(
            f"command failed with exit code {result.returncode}: {describe(args)}",
            cause=_tail(result.stderr or result.stdout) or "no output",
            fix="read the output above; the full output is in the run's debug log",
        )
    return result


def _communicate(
    argv: Sequence[str],
    args: Sequence[str],
    *,
    cwd: Path | str | None,
    env: Mapping[str, str],
    input: str | None,
    timeout: float | None,
) -> tuple[int, str, str]:
    """Run `argv` in its own process group; on timeout kill the whole group, not only the first child.

    `npx` and `yarn` start their real work in grandchildren, which would otherwise outlive the timeout.
    """
    try:
        child = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
            pass_fds=tuple(_inherited_fds),
        )
    except OSError as err:
        raise CommandError(f"could not start {describe(args)}", cause=str(err)) from err

    try:
        stdout, stderr = child.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(child)
        _, stderr = child.communicate()
        raise CommandError(
            f"command timed out after {timeout:.0f} s: {describe(args)}",
            cause=_tail(stderr or "") or "no output",
            fix="check that the service it talks to is reachable, or raise the timeout",
        ) from None
    except BaseException:
        # Ctrl-C or SIGTERM while waiting: the child's group must not live on and keep sending transactions.
        _kill_group(child)
        child.wait()
        raise
    return child.returncode, stdout, stderr


def _kill_group(child: subprocess.Popen[str]) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def start(
    args: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    log_file: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a long-running child (a node, a registry) in its own process group and return it."""
    child_env = _child_env(env, True)
    argv = [find_executable(args[0], child_env), *args[1:]]
    _check_args(argv)
    log.debug("start: %s", describe(args))
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
    output = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 - closed by the child's exit
    try:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=child_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=tuple(_inherited_fds),
        )
    except OSError as err:
        raise CommandError(f"could not start {describe(args)}", cause=str(err)) from err
    finally:
        if log_file:
            output.close()


def stop(process: subprocess.Popen[bytes], *, timeout: float = 10.0) -> None:
    """Stop a child started by `start` and its process group: SIGTERM, then SIGKILL after `timeout` seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)
