"""Formatting of native token amounts and gas prices for messages."""

from __future__ import annotations

from decimal import Decimal

from onboard.spec import NetworkSpec


def native(wei: int, spec: NetworkSpec) -> str:
    """Format an amount in the chain's smallest unit as native tokens, with the exact integer after it."""
    value = Decimal(wei).scaleb(-spec.decimals).normalize()
    return f"{value:f} {spec.currency} ({wei} wei)"


def gwei(wei: int) -> str:
    value = Decimal(wei).scaleb(-9).normalize()
    return f"{value:f} gwei"


def with_margin(wei: int, percent: int) -> int:
    """Return `wei` raised by `percent`, rounded up."""
    return -(-wei * (100 + percent) // 100)
