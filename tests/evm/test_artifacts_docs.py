"""The system contract list against the published package, the precompile vectors, and the finding pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onboard import proc
from onboard.commands.check import system_contracts, toolchain_node_modules
from onboard.errors import OnboardError
from onboard.evm.artifacts import candidate_folders, load_system_contracts
from onboard.evm.probes import codesize, opcodes
from onboard.evm.vectors import VECTORS
from onboard.spec.finding_ids import FINDING_IDS
from tests.evm.conftest import statuses

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings"


@pytest.mark.node
def test_system_addresses_match_package(toolchain):
    script = ("const c = require('@sphinx-labs/contracts');"
              "console.log(JSON.stringify(c.getSphinxConstants().map((item) => item.expectedAddress)))")  # fmt: skip
    result = proc.run(["node", "-e", script], cwd=toolchain.root, env=toolchain.path_env())

    assert [item.address for item in system_contracts(None)] == json.loads(result.stdout)


def test_missing_artifacts_named(tmp_path):
    with pytest.raises(OnboardError, match="artifacts were not found") as raised:
        load_system_contracts(candidate_folders(tmp_path, None))

    assert str(tmp_path / "node_modules" / "@sphinx-labs" / "contracts" / "contract-artifacts") in str(raised.value)


@pytest.mark.node
def test_toolchain_artifacts_found(toolchain):
    assert toolchain_node_modules() == toolchain.node_modules


def test_vectors_cover_precompiles():
    assert [vector.address for vector in VECTORS] == [*range(1, 11), 0x100]


def test_code_size_probe_is_short():
    for size in codesize.SIZES:
        assert len(codesize.size_probe(size)) < 40


@pytest.mark.node
def test_every_finding_has_a_page(chain, check):
    found = set(statuses(check(chain.url)))

    missing = sorted(finding_id for finding_id in found if not (DOCS / f"{finding_id}.md").is_file())
    assert missing == []
    assert {f"opcode.{probe.name}" for probe in opcodes.PROBES} <= found


def test_finding_ids_match_docs_pages():
    pages = {path.stem for path in DOCS.glob("*.md") if path.stem != "README"}
    assert FINDING_IDS == pages


@pytest.mark.node
def test_clean_check_ids_are_known(chain, check):
    assert set(statuses(check(chain.url))) <= FINDING_IDS
