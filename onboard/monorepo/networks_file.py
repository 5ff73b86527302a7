"""The monorepo's `packages/contracts/src/networks.ts`: its arrays and their entries, read as values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tree_sitter import Node

from onboard.errors import OnboardError
from onboard.monorepo import tsparse
from onboard.spec import KnownNetwork

NETWORKS_TS = Path("packages/contracts/src/networks.ts")
LIVE_ARRAY = "SPHINX_NETWORKS"
DEPRECATED_ARRAY = "DEPRECATED_SPHINX_NETWORKS"
LOCAL_ARRAY = "SPHINX_LOCAL_NETWORKS"


@dataclass(frozen=True)
class Entry:
    """One object literal of an array, with its values read as Python values."""

    array: str
    node: Node = field(compare=False, repr=False)
    values: dict[str, Any]
    line: int

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.values)

    @property
    def name(self) -> str | None:
        value = self.values.get("name")
        return value if isinstance(value, str) else None

    @property
    def chain_id(self) -> int | None:
        value = self.values.get("chainId")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def rpc_url_id(self) -> str | None:
        value = self.values.get("rpcUrlId")
        return value if isinstance(value, str) else None

    def describe(self) -> str:
        return f"{self.array} entry '{self.name}' (chain id {self.chain_id}, line {self.line})"


class NetworksFile:
    """A parsed networks.ts. Raises OnboardError when the file does not parse or lacks SPHINX_NETWORKS."""

    def __init__(self, source: bytes, *, path: str = str(NETWORKS_TS)) -> None:
        self.source = source
        self.path = path
        self.tree = tsparse.require_readable(source, path=path)
        self.live_array = self.array(LIVE_ARRAY)
        if self.live_array is None:
            raise OnboardError(
                f"{path} has no array named {LIVE_ARRAY}",
                cause=f"onboard adds the network to `export const {LIVE_ARRAY}: Array<SupportedNetwork> = [...]`",
                fix="point [monorepo] path at a Sphinx monorepo checkout",
            )

    def array(self, name: str) -> Node | None:
        return tsparse.find_array(self.tree, name)

    def entries(self, array_name: str) -> list[Entry]:
        array = self.array(array_name)
        if array is None:
            return []
        found = []
        for element in tsparse.elements(array):
            if element.type != "object":
                continue
            values = tsparse.evaluate(element)
            found.append(Entry(array_name, element, values, element.start_point.row + 1))
        return found

    def known_entries(self) -> list[Entry]:
        """Return the entries of SPHINX_NETWORKS and DEPRECATED_SPHINX_NETWORKS."""
        return self.entries(LIVE_ARRAY) + self.entries(DEPRECATED_ARRAY)


def read_networks_file(monorepo_root: Path) -> NetworksFile:
    path = monorepo_root / NETWORKS_TS
    try:
        source = path.read_bytes()
    except FileNotFoundError:
        raise OnboardError(
            f"{path} not found",
            cause="the monorepo checkout has no packages/contracts/src/networks.ts",
            fix="set [monorepo] path in onboard.toml to a checkout of the Sphinx monorepo",
        ) from None
    except OSError as err:
        raise OnboardError(f"cannot read {path}", cause=err.strerror, fix="check the file's permissions") from err
    return NetworksFile(source, path=str(path))


def read_known_networks(monorepo_root: Path) -> list[KnownNetwork]:
    """Return every entry of SPHINX_NETWORKS and DEPRECATED_SPHINX_NETWORKS in the monorepo's networks.ts."""
    networks_file = read_networks_file(monorepo_root)
    known = []
    for entry in networks_file.known_entries():
        if entry.name is None or entry.chain_id is None:
            raise OnboardError(
                f"{networks_file.path} line {entry.line}: {entry.array} entry has no literal name or chainId",
                cause="onboard reads names as string literals and chain ids as BigInt(<number>)",
                fix="write the entry's name and chainId as literals",
            )
        known.append(KnownNetwork(entry.name, entry.chain_id, entry.rpc_url_id, entry.array))
    return known
