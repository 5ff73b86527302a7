"""Opcodes from Byzantium to Osaka, probed by creation eth_call and judged against a control probe.

Each probe is initcode that executes one opcode and returns a 32-byte word, checked against the value the
opcode must produce. The control runs the same frame with ADD only. An opcode counts as unsupported when the
control returns its word and the probe does not, whatever the error text reads. When the control fails too,
the node cannot run creation calls and every opcode is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from onboard.evm.asm import creation_call, returning_word
from onboard.evm.findings import Finding, Status, evidence, to_bytes
from onboard.evm.rpc import Call, Reply
from onboard.evm.target import Calls, Facts, Replies, Target

# Hardforks that added opcodes, oldest first. Forks without new opcodes (Petersburg, Berlin, Paris, Prague)
# cannot be distinguished from their predecessor by opcode probes.
EVM_FORKS = ("byzantium", "constantinople", "istanbul", "london", "shanghai", "cancun", "osaka")
# Missing opcodes of these forks break the Sphinx system contracts or the Gnosis Safe contracts it deploys.
REQUIRED_FORKS = ("byzantium", "constantinople", "istanbul")
# Forks after this one are newer than what most chains and compilers target; a missing opcode is reported
# but not warned about.
WARN_UP_TO = "cancun"


@dataclass(frozen=True)
class OpcodeProbe:
    name: str
    fork: str
    opcode: int
    body: bytes
    # Whether the returned word is what the opcode must produce; receives the word and the chain id.
    expect: Callable[[int, int | None], bool]

    @property
    def initcode(self) -> bytes:
        return returning_word(self.body)


def _equals(value: int) -> Callable[[int, int | None], bool]:
    return lambda word, _chain_id: word == value


def _any(word: int, _chain_id: int | None) -> bool:
    return True


def _nonzero(word: int, _chain_id: int | None) -> bool:
    return word != 0


def _chain_id(word: int, chain_id: int | None) -> bool:
    return chain_id is None or word == chain_id


h = bytes.fromhex
# Child initcode PUSH1 0x20 PUSH1 0x00 REVERT, stored at memory 27..31 and run with CREATE: RETURNDATASIZE
# after the failed CREATE is 32 only when REVERT returned its data.
_REVERT_BODY = h("646020" "6000fd" "600052" "6005601b6000f0" "50" "3d")

PROBES = (
    OpcodeProbe("returndatasize", "byzantium", 0x3D, h("3d"), _equals(0)),
    OpcodeProbe("returndatacopy", "byzantium", 0x3E, h("600060006000" "3e" "6001"), _equals(1)),
    OpcodeProbe("staticcall", "byzantium", 0xFA, h("6000600060006000" "6004" "5a" "fa"), _equals(1)),
    OpcodeProbe("revert", "byzantium", 0xFD, _REVERT_BODY, _equals(32)),
    OpcodeProbe("shl", "constantinople", 0x1B, h("60016004" "1b"), _equals(16)),
    OpcodeProbe("shr", "constantinople", 0x1C, h("60106004" "1c"), _equals(1)),
    OpcodeProbe("sar", "constantinople", 0x1D, h("60106004" "1d"), _equals(1)),
    OpcodeProbe("create2", "constantinople", 0xF5, h("6000600060006000" "f5"), _nonzero),
    OpcodeProbe("extcodehash", "constantinople", 0x3F, h("30" "3f"), _any),
    OpcodeProbe("chainid", "istanbul", 0x46, h("46"), _chain_id),
    OpcodeProbe("selfbalance", "istanbul", 0x47, h("47"), _any),
    OpcodeProbe("basefee", "london", 0x48, h("48"), _any),
    OpcodeProbe("push0", "shanghai", 0x5F, h("5f"), _equals(0)),
    OpcodeProbe("tload", "cancun", 0x5C, h("6000" "5c"), _equals(0)),
    OpcodeProbe("tstore", "cancun", 0x5D, h("60076000" "5d" "6000" "5c"), _equals(7)),
    OpcodeProbe("mcopy", "cancun", 0x5E, h("602a602052" "602060206000" "5e" "600051"), _equals(42)),
    OpcodeProbe("blobhash", "cancun", 0x49, h("6000" "49"), _equals(0)),
    OpcodeProbe("blobbasefee", "cancun", 0x4A, h("4a"), _any),
    OpcodeProbe("clz", "osaka", 0x1E, h("6001" "1e"), _equals(255)),
)
PROBES_BY_NAME = {probe.name: probe for probe in PROBES}
# PUSH1 2 PUSH1 3 ADD: the control, valid on every EVM.
CONTROL = returning_word(h("60026003" "01"))
CONTROL_WORD = 5


def first_round(target: Target) -> Calls:
    calls = {"opcode:control": Call("eth_call", (creation_call(CONTROL), "latest"))}
    for probe in PROBES:
        calls[f"opcode:{probe.name}"] = Call("eth_call", (creation_call(probe.initcode), "latest"))
    return calls


def returned_word(reply: Reply) -> int | None:
    data = to_bytes(reply.result) if reply.ok else None
    if data is None or len(data) != 32:
        return None
    return int.from_bytes(data, "big")


def judge(target: Target, replies: Replies, facts: Facts) -> list[Finding]:
    facts.evm_order = EVM_FORKS
    control = replies["opcode:control"]
    if returned_word(control) != CONTROL_WORD:
        return _control_failed(control)

    findings = [_judge_probe(probe, replies[f"opcode:{probe.name}"], control, facts) for probe in PROBES]
    supported = {finding.id.removeprefix("opcode.") for finding in findings if finding.data.get("supported")}
    findings.append(_evm_version(supported, facts))
    return findings


def _control_failed(control: Reply) -> list[Finding]:
    fix = "use an RPC endpoint that runs eth_call without `to` (creation calls), such as a full node"
    findings = [
        Finding(f"opcode.{probe.name}", Status.SKIP, f"{probe.name.upper()} not probed: the control failed",
                evidence=evidence(control))
        for probe in PROBES
    ]  # fmt: skip
    findings.append(
        Finding(
            "evm.version", Status.WARN, "EVM version unknown: creation eth_call of the control initcode failed",
            impact="The opcodes the chain supports cannot be checked, so contracts may fail to deploy.",
            fix=fix, evidence=evidence(control),
        )  # fmt: skip
    )
    return findings


def _judge_probe(probe: OpcodeProbe, reply: Reply, control: Reply, facts: Facts) -> Finding:
    word = returned_word(reply)
    proof = evidence(control, reply)
    label = f"{probe.name.upper()} (0x{probe.opcode:02x}, {probe.fork})"
    if word is not None and probe.expect(word, facts.chain_id):
        return Finding(f"opcode.{probe.name}", Status.PASS, f"{label} is supported", data={"supported": True})
    if word is not None:
        return Finding(
            f"opcode.{probe.name}", Status.FAIL, f"{label} returns {word:#x}, which differs from the EVM",
            impact="Contracts that use this opcode behave differently than on Ethereum.",
            fix=f"report it to the chain's team; waive opcode.{probe.name} only if no contract you deploy uses it",
            evidence=proof, data={"supported": False, "word": hex(word)},
        )  # fmt: skip
    return Finding(f"opcode.{probe.name}", _missing_status(probe.fork), f"{label} is not supported",
                   impact=_missing_impact(probe), fix=_missing_fix(probe), evidence=proof,
                   data={"supported": False})  # fmt: skip


def _missing_status(fork: str) -> Status:
    if fork in REQUIRED_FORKS:
        return Status.FAIL
    if EVM_FORKS.index(fork) <= EVM_FORKS.index(WARN_UP_TO):
        return Status.WARN
    return Status.PASS


def _missing_impact(probe: OpcodeProbe) -> str:
    if probe.fork in REQUIRED_FORKS:
        return f"The Sphinx system and Gnosis Safe contracts need {probe.fork} opcodes; their deployment fails."
    return (
        f"Contracts compiled for {probe.fork} or later that use {probe.name.upper()} revert on deployment. "
        "The published Sphinx system contracts do not need it."
    )


def _missing_fix(probe: OpcodeProbe) -> str:
    if probe.fork in REQUIRED_FORKS:
        return "this chain cannot run Sphinx; waive only if the chain's team confirms the opcode works"
    return "compile the contracts you deploy with an EVM version at most the one reported by evm.version"


def _evm_version(supported: set[str], facts: Facts) -> Finding:
    version = None
    for fork in EVM_FORKS:
        if any(probe.fork == fork and probe.name not in supported for probe in PROBES):
            break
        version = fork
    facts.evm_version = version
    if version is None or EVM_FORKS.index(version) < EVM_FORKS.index(REQUIRED_FORKS[-1]):
        return Finding(
            "evm.version", Status.FAIL, f"EVM version {version or 'older than byzantium'} is too old for Sphinx",
            impact="The Sphinx system contracts need at least the istanbul opcodes.",
            fix="this chain cannot run Sphinx as it is", data={"evm_version": version},
        )  # fmt: skip
    return Finding(
        "evm.version", Status.PASS, f"EVM version {version}: the newest hardfork whose opcodes all work",
        fix=f"compile contracts with evm_version = \"{version}\" or older", data={"evm_version": version},
    )  # fmt: skip
