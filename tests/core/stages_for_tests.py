"""Small file-writing stages for runner tests: each appends its name to a file once, like a real stage would."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from onboard.errors import StageError
from onboard.stages.base import Context, Plan, Stage


class LineStage(Stage):
    description = "append a line to a file"

    def __init__(self, name: str, target: Path, *, fail_times: int = 0, sleep: float = 0.0) -> None:
        self.name = name
        self.target = target
        self.fail_times = fail_times
        self.sleep = sleep
        self.applied = 0

    def _lines(self) -> list[str]:
        return self.target.read_text().splitlines() if self.target.exists() else []

    def plan(self, ctx: Context) -> Plan:
        present = self.name in self._lines()
        return Plan(self.name, "nothing to do" if present else f"append {self.name}", changes=not present)

    def apply(self, ctx: Context) -> dict[str, Any]:
        self.applied += 1
        time.sleep(self.sleep)
        if self.fail_times > 0:
            self.fail_times -= 1
            raise StageError(self.name, "failed on purpose", fix="run again")
        if self.name not in self._lines():
            with self.target.open("a") as handle:
                handle.write(f"{self.name}\n")
        return {"line": self.name, "summary": f"wrote {self.name}"}

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        if outputs.get("line") not in self._lines():
            raise StageError(self.name, f"line {outputs.get('line')!r} is missing from {self.target}")
