"""The sandbox registry: offline verdaccio on loopback, stopped by PID."""

from __future__ import annotations

import json
import os

import pytest
import requests

from onboard.sandbox.verdaccio import start_verdaccio


def test_verdaccio_starts_offline_and_stops(tmp_path, toolchain):
    registry = start_verdaccio(tmp_path / "verdaccio")
    try:
        config = json.loads((tmp_path / "verdaccio" / "config.yaml").read_text())
        missing = requests.get(registry.url + "left-pad", timeout=10)

        assert registry.url.startswith("http://127.0.0.1:")
        assert config["uplinks"] == {}
        assert config["storage"] == str(tmp_path / "verdaccio" / "storage")
        assert missing.status_code == 404
    finally:
        registry.stop()

    assert registry.process.poll() is not None
    with pytest.raises(ProcessLookupError):
        os.kill(registry.pid, 0)
    with pytest.raises(requests.ConnectionError):
        requests.get(registry.url + "-/ping", timeout=2)
