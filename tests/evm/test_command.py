"""`onboard check` as plain functions: formats, exit codes, waivers and redaction; and the compat stage."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from onboard.commands.check import check
from onboard.config import Config
from onboard.errors import ExitCode, IncompatibleChain, OnboardError
from onboard.journal import Journal
from onboard.spec.model import Waiver
from onboard.stages.base import Context
from onboard.stages.compat import REPORT_JSON, CompatStage
from tests.evm import rpcproxy

pytestmark = pytest.mark.node
REPO = Path(__file__).resolve().parents[2]


def write_spec(folder: Path, *, chain_id: int = 31337, waivers: str = "") -> Path:
    text = (REPO / "network_specs" / "unichain.toml").read_text()
    text = text.replace("chain_id = 130", f"chain_id = {chain_id}")
    text = text.replace('[rollup_stack]\nprovider = "None"\ntype = "OP Stack"\n', "")
    folder.mkdir(exist_ok=True)
    (folder / "unichain.toml").write_text(text + waivers)
    return folder


def add_other_spec(specs: Path) -> None:
    text = (specs / "unichain.toml").read_text()
    text = text.replace('name = "unichain"', 'name = "other"').replace("UNICHAIN_MAINNET_URL", "OTHER_MAINNET_URL")
    (specs / "other.toml").write_text(text)


def test_json_on_london(anvil_nodes):
    code, text = check(rpc=anvil_nodes("london").url, output_format="json")

    report = json.loads(text)
    by_id = {item["id"]: item for item in report["findings"]}
    assert code == ExitCode.OK
    assert report["evm_version"] == "london"
    assert report["chain_id"] == 31337
    for opcode in ("push0", "mcopy", "tstore"):
        assert by_id[f"opcode.{opcode}"]["status"] == "warn"
        assert by_id[f"opcode.{opcode}"]["title"].endswith("is not supported")
    assert set(report) >= {"network", "chain_id", "evm_version", "findings", "suggested_entry", "rpc"}
    assert report["rpc"]["round_trips"] <= 4
    assert report["rpc"]["requests"] > 50


def test_spec_wrong_chain_id_exits_3(chain, tmp_path):
    specs = write_spec(tmp_path / "specs", chain_id=130)

    code, text = check(["unichain"], specs_dir=specs, env={"UNICHAIN_MAINNET_URL": chain.url})

    assert code == ExitCode.INCOMPATIBLE
    assert "FAIL   chain.id: eth_chainId is 31337, the spec says 130" in text


def test_waiver_turns_fail_into_waived(chain, tmp_path):
    # NOTE: built in code because the strict spec model rejects a TOML array for its `waivers` tuple.
    ctx = make_context(tmp_path, write_spec(tmp_path / "specs", chain_id=130), {"UNICHAIN_MAINNET_URL": chain.url})
    waiver = Waiver(id="chain.id", reason="testing the waiver on a local node")
    ctx.spec = ctx.spec.model_copy(update={"waivers": (waiver,)})

    outputs = CompatStage().apply(ctx)

    report = json.loads(Path(outputs["report"]).read_text())
    chain_id = next(item for item in report["findings"] if item["id"] == "chain.id")
    assert chain_id["status"] == "waived"
    assert chain_id["waiver"] == "testing the waiver on a local node"
    assert outputs["counts"]["waived"] == 1


def test_several_networks_and_junit(chain, anvil_nodes, tmp_path):
    output = tmp_path / "report.xml"
    specs = write_spec(tmp_path / "specs")
    add_other_spec(specs)
    env = {"UNICHAIN_MAINNET_URL": chain.url, "OTHER_MAINNET_URL": anvil_nodes("london").url}

    code, _ = check(["unichain", "other"], specs_dir=specs, env=env, output_format="junit", output=output)

    suites = ElementTree.parse(output).getroot().findall("testsuite")
    assert code == ExitCode.OK
    assert [suite.get("name") for suite in suites] == ["unichain", "other"]
    assert all(int(suite.get("failures")) == 0 for suite in suites)


def test_unusable_rpc_exits_1():
    code, text = check(rpc="http://127.0.0.1:9/v3/secretkey123456", output_format="text")

    assert code == ExitCode.FAILURE
    assert "secretkey123456" not in text
    assert "cannot reach the RPC endpoint" in text


def test_api_key_redacted_everywhere(chain, tmp_path):
    with rpcproxy.RpcProxy(chain.url) as proxy:
        url = f"{proxy.url}/v2/topsecretkey987654"
        outputs = [check(rpc=url, output_format=kind)[1] for kind in ("text", "markdown", "json", "junit")]

    for text in outputs:
        assert "topsecretkey987654" not in text
        assert "/v2/***" in text


def test_markdown_summary(anvil_nodes):
    _, text = check(rpc=anvil_nodes("london").url, output_format="markdown")

    assert text.startswith("## Compatibility check\n")
    assert "✅ compatible" in text
    assert "| ⚠️ | `opcode.push0` | PUSH0 (0x5f, shanghai) is not supported |" in text
    assert "<summary>Suggested SPHINX_NETWORKS entry</summary>" in text


def test_invalid_input_rejected(tmp_path):
    with pytest.raises(OnboardError, match="give network names or --rpc URL"):
        check([], rpc=None)
    with pytest.raises(OnboardError, match="not an http"):
        check(rpc="ftp://example")
    with pytest.raises(OnboardError, match="UNICHAIN_MAINNET_URL is missing"):
        check(["unichain"], specs_dir=write_spec(tmp_path / "specs"), env={})


def make_context(tmp_path: Path, spec_folder: Path, env: dict[str, str]) -> Context:
    from onboard.spec.load import load_spec

    spec = load_spec(spec_folder / "unichain.toml")
    config = Config(data={}, path=None, root=tmp_path)
    return Context(spec=spec, config=config, journal=Journal(tmp_path / "state", spec.name), env=env)


def test_stage_saves_report(chain, tmp_path):
    ctx = make_context(tmp_path, write_spec(tmp_path / "specs"), {"UNICHAIN_MAINNET_URL": chain.url})
    stage = CompatStage()

    outputs = stage.apply(ctx)
    stage.verify(ctx, outputs)

    assert stage.read_only is True
    assert outputs["report"] == str(ctx.state_dir / REPORT_JSON)
    assert outputs["evm_version"] == "osaka"
    assert (ctx.state_dir / "compat-report.md").is_file()


def test_stage_raises_on_fail(chain, tmp_path):
    ctx = make_context(tmp_path, write_spec(tmp_path / "specs", chain_id=130), {"UNICHAIN_MAINNET_URL": chain.url})

    with pytest.raises(IncompatibleChain) as raised:
        CompatStage().apply(ctx)

    assert raised.value.exit_code == ExitCode.INCOMPATIBLE
    assert "chain.id" in str(raised.value)
    assert (ctx.state_dir / REPORT_JSON).is_file()


def test_rpc_from_environment(chain):
    code, text = check(rpc="env:MY_RPC", env={"MY_RPC": chain.url}, output_format="json")

    assert code == ExitCode.OK
    assert json.loads(text)["chain_id"] == 31337
    with pytest.raises(OnboardError, match="MY_RPC is missing or empty"):
        check(rpc="env:MY_RPC", env={})


def test_unusable_network_among_several(chain, tmp_path):
    specs = write_spec(tmp_path / "specs")
    add_other_spec(specs)
    env = {"UNICHAIN_MAINNET_URL": chain.url, "OTHER_MAINNET_URL": "http://127.0.0.1:9"}

    code, text = check(["unichain", "other"], specs_dir=specs, env=env, output_format="json")

    reports = json.loads(text)
    assert code == ExitCode.FAILURE
    assert reports[0]["network"] == "unichain"
    assert reports[0]["chain_id"] == 31337
    assert reports[1]["error"].startswith("network other: cannot reach the RPC endpoint")
