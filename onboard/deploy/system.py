"""The Sphinx system contracts the deploy stage expects on chain, read from the monorepo's installed
@sphinx-labs/contracts and checked against CREATE2 addresses computed here."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eth_utils import keccak, to_checksum_address

from onboard import proc
from onboard.errors import CommandError, StageError

# The deterministic deployment proxy (github.com/Arachnid/deterministic-deployment-proxy): calldata is a
# 32-byte salt followed by initcode, and it creates the contract with CREATE2.
PROXY_ADDRESS = "0x4e59b44847b379578588920ca78fbf26c0b4956c"
SALT = bytes(32)

# Writes the system contracts as JSON to the file named by its argument (about 1 MB, so not through stdout, which
# proc.run logs). Runs with node in packages/core, so it reads the @sphinx-labs/contracts version that the
# deploy-system task itself will load.
_LIST_SCRIPT = r"""
const c = require('@sphinx-labs/contracts')
const { Interface } = require('ethers')
const describe = (entry, ownTransaction) => ({
  name: entry.artifact.contractName,
  expectedAddress: entry.expectedAddress,
  initCode: entry.artifact.bytecode + new Interface(entry.artifact.abi).encodeDeploy(entry.constructorArgs).slice(2),
  runtimeCode: entry.artifact.deployedBytecode ?? '0x',
  ownTransaction,
})
const contracts = [
  ...c.getSphinxConstants().map((entry) => describe(entry, true)),
  ...(c.additionalSystemContractsToVerify ?? []).map((entry) => describe(entry, false)),
]
const listing = { proxy: c.DETERMINISTIC_DEPLOYMENT_PROXY_ADDRESS, contracts }
require('fs').writeFileSync(process.argv[1], JSON.stringify(listing))
"""
LIST_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class SystemContract:
    """One system contract: where it must be, the code that creates it and the code it must have.

    `own_transaction` is False for contracts another system contract creates in its constructor
    (SphinxModule, created by SphinxModuleProxyFactory); `creator` is the address that runs CREATE2.
    """

    name: str
    address: str
    creator: str
    init_code: bytes
    runtime_code: bytes
    own_transaction: bool


def create2_address(creator: str, salt: bytes, init_code: bytes) -> str:
    """Return the CREATE2 address (EIP-1014) as a checksummed hex string."""
    digest = keccak(b"\xff" + bytes.fromhex(creator[2:]) + salt + keccak(init_code))
    return to_checksum_address(digest[12:])


def load_system(core_dir: Path) -> tuple[SystemContract, ...]:
    """List the system contracts from the @sphinx-labs/contracts that packages/core resolves."""
    with tempfile.TemporaryDirectory(prefix="onboard-system-") as folder:
        listing_file = Path(folder) / "system.json"
        _run_list_script(core_dir, listing_file)
        listing = json.loads(listing_file.read_text())
    if listing["proxy"].lower() != PROXY_ADDRESS:
        raise StageError(
            "deploy",
            f"@sphinx-labs/contracts names {listing['proxy']} as the deployment proxy, expected {PROXY_ADDRESS}",
            fix="check the installed @sphinx-labs/contracts version",
        )
    return _resolve(listing["contracts"])


def _run_list_script(core_dir: Path, listing_file: Path) -> None:
    try:
        proc.run(["node", "-e", _LIST_SCRIPT, str(listing_file)], cwd=core_dir, timeout=LIST_TIMEOUT_SECONDS)
    except CommandError as err:
        raise StageError(
            "deploy",
            f"cannot list the Sphinx system contracts from @sphinx-labs/contracts in {core_dir}",
            cause=err.render(),
            fix=f"run `yarn install` in the monorepo so that {core_dir} resolves @sphinx-labs/contracts",
        ) from err


def _resolve(entries: list[dict[str, object]]) -> tuple[SystemContract, ...]:
    contracts: list[SystemContract] = []
    for entry in entries:
        init_code = bytes.fromhex(str(entry["initCode"])[2:])
        creators = [PROXY_ADDRESS] if entry["ownTransaction"] else [found.address for found in contracts]
        expected = to_checksum_address(str(entry["expectedAddress"]))
        creator = next((c for c in creators if create2_address(c, SALT, init_code) == expected), None)
        if creator is None:
            raise StageError(
                "deploy",
                f"{entry['name']}: the published address {expected} is not the CREATE2 address of its initcode",
                cause="the package's artifacts and its address constants disagree",
                fix="reinstall @sphinx-labs/contracts, or run `yarn build` in packages/contracts for a local build",
            )
        contracts.append(
            SystemContract(
                name=str(entry["name"]),
                address=expected,
                creator=creator,
                init_code=init_code,
                runtime_code=bytes.fromhex(str(entry["runtimeCode"])[2:]),
                own_transaction=bool(entry["ownTransaction"]),
            )
        )
    return tuple(contracts)


def code_matches(on_chain: bytes, artifact: bytes) -> bool:
    """Compare deployed code with an artifact's runtime code.

    solc leaves each immutable as 32 zero bytes in the runtime code and the constructor fills them in, so
    bytes may differ only inside runs of at least 32 zero bytes of the artifact. An empty artifact code
    means unknown, which matches any non-empty code.
    """
    if not artifact:
        return bool(on_chain)
    if len(on_chain) != len(artifact):
        return False
    placeholder = _zero_runs(artifact)
    return all(a == b or placeholder[i] for i, (a, b) in enumerate(zip(on_chain, artifact, strict=True)))


def _zero_runs(code: bytes, minimum: int = 32) -> list[bool]:
    inside = [False] * len(code)
    start = 0
    while start < len(code):
        if code[start] != 0:
            start += 1
            continue
        end = start
        while end < len(code) and code[end] == 0:
            end += 1
        if end - start >= minimum:
            inside[start:end] = [True] * (end - start)
        start = end
    return inside
