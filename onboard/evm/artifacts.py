"""The Sphinx system contracts that the deploy stage sends through the CREATE2 proxy, read from the published
`@sphinx-labs/contracts` artifacts.

The list and order follow `getSphinxConstants()` of @sphinx-labs/contracts 0.23: every contract is deployed by
the deterministic deployment proxy with salt zero and no constructor arguments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from onboard.errors import OnboardError
from onboard.evm.asm import CREATE2_PROXY, create2_address

PACKAGE = Path("node_modules") / "@sphinx-labs" / "contracts"
SALT = bytes(32)

_SAFE = "gnosis-safe/v1.3.0"
SYSTEM_CONTRACTS = (
    ("PermissionlessRelay", "sphinx/PermissionlessRelay.sol/PermissionlessRelay.json"),
    ("SphinxModuleProxyFactory", "sphinx/SphinxModuleProxyFactory.sol/SphinxModuleProxyFactory.json"),
    ("SimulateTxAccessor", f"{_SAFE}/accessors/SimulateTxAccessor.sol/SimulateTxAccessor.json"),
    ("GnosisSafeProxyFactory", f"{_SAFE}/proxies/GnosisSafeProxyFactory.sol/GnosisSafeProxyFactory.json"),
    ("DefaultCallbackHandler", f"{_SAFE}/handler/DefaultCallbackHandler.sol/DefaultCallbackHandler.json"),
    ("CompatibilityFallbackHandler",
     f"{_SAFE}/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json"),
    ("CreateCall", f"{_SAFE}/libraries/CreateCall.sol/CreateCall.json"),
    ("MultiSend", f"{_SAFE}/libraries/MultiSend.sol/MultiSend.json"),
    ("MultiSendCallOnly", f"{_SAFE}/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json"),
    ("SignMessageLib", f"{_SAFE}/libraries/SignMessageLib.sol/SignMessageLib.json"),
    ("GnosisSafeL2", f"{_SAFE}/GnosisSafeL2.sol/GnosisSafeL2.json"),
    ("GnosisSafe", f"{_SAFE}/GnosisSafe.sol/GnosisSafe.json"),
    ("CheckBalanceLow", "optimism/CheckBalanceLow.json"),
)  # fmt: skip


@dataclass(frozen=True)
class SystemContract:
    """One system deployment: its initcode, its runtime size and the address the proxy deploys it to."""

    name: str
    initcode: bytes
    runtime_size: int

    @property
    def address(self) -> str:
        return create2_address(CREATE2_PROXY, SALT, self.initcode)


def _code(value: object) -> bytes:
    # Foundry artifacts nest the code as {"object": "0x..."}; hardhat artifacts store the string itself.
    text = value.get("object") if isinstance(value, dict) else value
    if not isinstance(text, str):
        raise ValueError("bytecode is missing")
    return bytes.fromhex(text.removeprefix("0x"))


def candidate_folders(monorepo: Path | None, toolchain_modules: Path | None) -> list[Path]:
    """Return the folders to search for the artifacts: the monorepo's install, its contracts package, then the toolchain's."""
    folders = []
    if monorepo is not None:
        folders += [monorepo / PACKAGE, monorepo / "packages" / "contracts"]
    if toolchain_modules is not None:
        folders.append(toolchain_modules / "@sphinx-labs" / "contracts")
    return [folder / "contract-artifacts" for folder in folders]


def load_system_contracts(folders: list[Path]) -> tuple[list[SystemContract], Path]:
    """Read the 13 system contracts from the first folder that has all of them."""
    for folder in folders:
        if all((folder / relative).is_file() for _, relative in SYSTEM_CONTRACTS):
            return [_read(folder, name, relative) for name, relative in SYSTEM_CONTRACTS], folder
    raise OnboardError(
        "the @sphinx-labs/contracts artifacts were not found",
        cause="none of these folders has them: " + ", ".join(str(folder) for folder in folders),
        fix="run `yarn install` in the monorepo, or set ONBOARD_NODE_CACHE to an installed toolchain",
    )


def _read(folder: Path, name: str, relative: str) -> SystemContract:
    path = folder / relative
    try:
        artifact = json.loads(path.read_text(encoding="utf-8"))
        initcode, runtime = _code(artifact["bytecode"]), _code(artifact["deployedBytecode"])
    except (OSError, ValueError, KeyError) as err:
        raise OnboardError(f"artifact {path} cannot be read", cause=str(err),
                           fix="reinstall @sphinx-labs/contracts") from err  # fmt: skip
    return SystemContract(name, initcode, len(runtime))
