"""Checks made before the deploy stage sends any transaction, and the figures they are based on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from onboard.deploy import amounts
from onboard.deploy.rpc import Rpc
from onboard.deploy.system import PROXY_ADDRESS, SALT, SystemContract
from onboard.errors import RpcError, StageError
from onboard.spec import NetworkSpec

# The proxy's keyless deployment is one pre-EIP-155 transaction with fixed fields: gas price 100 gwei and gas
# limit 100000. Its signature was made up, so no other transaction can come from its sender. That sender must
# still have nonce 0 and hold 0.01 native token.
KEYLESS_SENDER = "0x3fab184622dc19b6109349b94811493bf2a45362"
KEYLESS_GAS_PRICE = 100 * 10**9
KEYLESS_GAS_LIMIT = 100_000
KEYLESS_COST = KEYLESS_GAS_PRICE * KEYLESS_GAS_LIMIT
TRANSFER_GAS = 21_000
# ethers 6 uses 1 gwei as the priority fee when eth_maxPriorityFeePerGas is not available.
DEFAULT_PRIORITY_FEE = 10**9
# GnosisSafeL2, the largest single system deployment, used 5,201,733 gas through the proxy on anvil 1.7.1
# (default hardfork). The limit keeps a small margin above that.
MAX_DEPLOYMENT_GAS = 5_280_000


@dataclass(frozen=True)
class Blocker:
    """A reason not to send any transaction, with what the operator should do about it."""

    message: str
    fix: str


@dataclass(frozen=True)
class Keyless:
    """State of the keyless sender when the proxy is missing. `funding` is what the deployer would send."""

    nonce: int
    balance: int
    funding: int


@dataclass(frozen=True)
class Preflight:
    """Everything the pre-flight read from the chain and concluded."""

    chain_id: int
    block_number: int
    block_gas_limit: int
    fee_per_gas: int
    proxy_present: bool
    present: tuple[str, ...]
    missing: tuple[str, ...]
    gas: dict[str, int]
    keyless: Keyless | None
    deployer: str | None
    balance: int | None
    required: int
    blockers: tuple[Blocker, ...] = field(default=())

    @property
    def total_gas(self) -> int:
        return sum(self.gas.values())

    def raise_blockers(self) -> None:
        """Raise one StageError that lists every blocker, or return when there is none."""
        if not self.blockers:
            return
        lines = [f"  - {blocker.message}" for blocker in self.blockers]
        fixes = [f"  - {blocker.fix}" for blocker in self.blockers]
        raise StageError(
            "deploy",
            "pre-flight failed, no transaction was sent:\n" + "\n".join(lines),
            fix="\n" + "\n".join(fixes),
        )


def check_chain_id(rpc: Rpc, spec: NetworkSpec) -> int:
    """Compare eth_chainId with the spec; the deploy-system task itself never does."""
    chain_id = rpc.chain_id()
    if chain_id != spec.chain_id:
        raise StageError(
            "deploy",
            f"the RPC endpoint in {spec.rpc_source} serves chain id {chain_id}, the spec says {spec.chain_id}",
            cause="the URL points at another chain, or the spec's chain_id is wrong",
            fix=f"set {spec.rpc_source} to an endpoint of {spec.display_name}, or correct chain_id in the spec",
        )
    return chain_id


def fee_per_gas(rpc: Rpc, block: dict[str, object]) -> int:
    """Return the fee per gas the deployer's balance must cover: ethers 6's maxFeePerGas (twice the base fee
    plus the priority fee) on EIP-1559 chains, eth_gasPrice elsewhere."""
    base_fee = block.get("baseFeePerGas")
    if base_fee is None:
        return rpc.quantity("eth_gasPrice")
    try:
        priority = rpc.quantity("eth_maxPriorityFeePerGas")
    except RpcError:
        priority = DEFAULT_PRIORITY_FEE
    return 2 * int(str(base_fee), 16) + priority


def estimate_gas(rpc: Rpc, contract: SystemContract, *, sender: str, proxy_present: bool) -> int:
    """Estimate the gas of deploying `contract` through the proxy.

    Without the proxy on chain, the node estimates a plain CREATE of the initcode instead. Added to that is
    what CREATE2 through the proxy costs more: the salt's calldata (16 gas per byte), hashing the initcode
    (6 gas per word, EIP-1014), copying it (3 gas per word), the 1/64 of gas kept back by the call (EIP-150)
    and 2000 gas for the proxy's own instructions. The sum is an estimate, not the node's figure.
    """
    if proxy_present:
        call = {"from": sender, "to": PROXY_ADDRESS, "data": "0x" + (SALT + contract.init_code).hex()}
        return rpc.quantity("eth_estimateGas", [call])
    words = (len(contract.init_code) + 31) // 32
    call = {"from": sender, "data": "0x" + contract.init_code.hex()}
    plain = rpc.quantity("eth_estimateGas", [call])
    return plain + plain // 63 + 16 * len(SALT) + 9 * words + 2_000


def run_preflight(
    rpc: Rpc,
    spec: NetworkSpec,
    contracts: Sequence[SystemContract],
    *,
    deployer: str | None,
    fund_keyless: bool,
) -> Preflight:
    """Read the chain and decide whether deploy-system can run; never sends a transaction."""
    chain_id = check_chain_id(rpc, spec)
    block = rpc.block("latest")
    gas_limit = int(block["gasLimit"], 16)
    fee = fee_per_gas(rpc, block)
    proxy_present = bool(rpc.code(PROXY_ADDRESS))

    present = tuple(c.name for c in contracts if rpc.code(c.address))
    pending = [c for c in contracts if c.own_transaction and c.name not in present]
    missing = tuple(c.name for c in contracts if c.name not in present)
    blockers: list[Blocker] = []

    gas = _estimate_all(rpc, pending, sender=deployer or KEYLESS_SENDER, proxy_present=proxy_present, blockers=blockers)
    _check_gas_limit(gas, gas_limit, estimates_failed=len(gas) < len(pending), blockers=blockers)

    keyless = None
    if not proxy_present:
        keyless = _check_keyless(rpc, spec, block, fund_keyless=fund_keyless, blockers=blockers)
    funding = keyless.funding if keyless else 0
    required = amounts.with_margin(sum(gas.values()) * fee, spec.deployer.balance_margin_percent)
    if funding:
        required += funding + TRANSFER_GAS * fee

    balance = None
    if deployer is not None:
        balance = rpc.balance(deployer)
        if balance < required:
            blockers.append(_underfunded(spec, deployer, balance, required, fee))
        _check_pending(rpc, deployer, blockers)
    return Preflight(
        chain_id=chain_id,
        block_number=int(block["number"], 16),
        block_gas_limit=gas_limit,
        fee_per_gas=fee,
        proxy_present=proxy_present,
        present=present,
        missing=missing,
        gas=gas,
        keyless=keyless,
        deployer=deployer,
        balance=balance,
        required=required,
        blockers=tuple(blockers),
    )


def _estimate_all(
    rpc: Rpc, pending: Sequence[SystemContract], *, sender: str, proxy_present: bool, blockers: list[Blocker]
) -> dict[str, int]:
    gas: dict[str, int] = {}
    for contract in pending:
        try:
            gas[contract.name] = estimate_gas(rpc, contract, sender=sender, proxy_present=proxy_present)
        except RpcError as err:
            blockers.append(
                Blocker(
                    f"eth_estimateGas for {contract.name} failed: {err.cause or err.message}",
                    "check the block gas limit and the node's logs; the deployment would fail the same way",
                )
            )
    return gas


def _check_gas_limit(gas: dict[str, int], gas_limit: int, *, estimates_failed: bool, blockers: list[Blocker]) -> None:
    largest = max(gas.values(), default=0)
    if estimates_failed:
        largest = max(largest, MAX_DEPLOYMENT_GAS)
    if largest and gas_limit < largest:
        blockers.append(
            Blocker(
                f"the block gas limit {gas_limit:,} is below the largest system deployment ({largest:,} gas)",
                "deploy on a chain whose block gas limit fits one such transaction; the system cannot be split",
            )
        )


def _check_keyless(
    rpc: Rpc, spec: NetworkSpec, block: dict[str, object], *, fund_keyless: bool, blockers: list[Blocker]
) -> Keyless:
    nonce = rpc.nonce(KEYLESS_SENDER)
    balance = rpc.balance(KEYLESS_SENDER)
    base_fee = block.get("baseFeePerGas")
    price = int(str(base_fee), 16) if base_fee is not None else rpc.quantity("eth_gasPrice")
    keyless_can_run = True
    if nonce != 0:
        keyless_can_run = False
        blockers.append(
            Blocker(
                f"the proxy {PROXY_ADDRESS} has no code and its keyless sender {KEYLESS_SENDER} has nonce {nonce}, "
                "so the proxy's one-time deployment transaction can never be mined",
                f"ask the operators of {spec.display_name} to preinstall the proxy at {PROXY_ADDRESS}",
            )
        )
    if price > KEYLESS_GAS_PRICE:
        keyless_can_run = False
        blockers.append(
            Blocker(
                f"the gas price {amounts.gwei(price)} is above the 100 gwei fixed in the proxy's keyless transaction",
                f"wait for lower fees, or ask the operators of {spec.display_name} to preinstall the proxy",
            )
        )
    funding = max(KEYLESS_COST - balance, 0)
    if funding and not fund_keyless and keyless_can_run:
        blockers.append(
            Blocker(
                f"the keyless sender {KEYLESS_SENDER} holds {amounts.native(balance, spec)}, the proxy's deployment "
                f"needs {amounts.native(KEYLESS_COST, spec)}: missing {amounts.native(funding, spec)}",
                f"send {amounts.native(funding, spec)} to {KEYLESS_SENDER}, or run again with --fund-keyless",
            )
        )
    return Keyless(nonce=nonce, balance=balance, funding=funding if fund_keyless and keyless_can_run else 0)


def _underfunded(spec: NetworkSpec, deployer: str, balance: int, required: int, fee: int) -> Blocker:
    missing = required - balance
    return Blocker(
        f"the deployer {deployer} holds {amounts.native(balance, spec)}, the deployment needs "
        f"{amounts.native(required, spec)} at {amounts.gwei(fee)} per gas with a "
        f"{spec.deployer.balance_margin_percent}% margin: missing {amounts.native(missing, spec)}",
        f"send at least {amounts.native(missing, spec)} to {deployer}, then run again",
    )


def _check_pending(rpc: Rpc, deployer: str, blockers: list[Blocker]) -> None:
    # A run killed while waiting for a receipt leaves its transaction in the pool. Starting again before it is
    # mined would send a second deployment of the same contract, which reverts and wastes its gas.
    pending = rpc.quantity("eth_getTransactionCount", [deployer, "pending"]) - rpc.nonce(deployer)
    if pending > 0:
        blockers.append(
            Blocker(
                f"the deployer {deployer} has {pending} pending transactions, probably from an interrupted run",
                "wait until they are mined (or replace them), then run again",
            )
        )
