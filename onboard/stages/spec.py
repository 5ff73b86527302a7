"""The `spec` stage: validate the spec against the target monorepo and compare eth_chainId with it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onboard.errors import StageError
from onboard.rpc_url import chain_id_of, rpc_url
from onboard.spec import load_spec
from onboard.stages.base import Context, Plan, Stage
from onboard.stages.known import known_networks


class SpecStage(Stage):
    name = "spec"
    description = "validate the network spec and compare the RPC's chain id with it"
    read_only = True

    def plan(self, ctx: Context) -> Plan:
        outputs = self.apply(ctx)
        return Plan(
            self.name,
            outputs["summary"],
            changes=False,
            details=(f"RPC URL from ${ctx.spec.rpc_source}", f"{outputs['known_networks']} networks in the monorepo"),
        )

    def apply(self, ctx: Context) -> dict[str, Any]:
        spec_file = ctx.options.get("spec_file")
        known = known_networks(ctx)
        if spec_file:
            load_spec(spec_file, known=known)
        self._check_chain_id(ctx)
        return {
            "chain_id": ctx.spec.chain_id,
            "known_networks": len(known),
            "summary": f"spec valid; eth_chainId is {ctx.spec.chain_id}",
        }

    def verify(self, ctx: Context, outputs: Mapping[str, Any]) -> None:
        self._check_chain_id(ctx)

    def _check_chain_id(self, ctx: Context) -> None:
        url = rpc_url(ctx.spec, ctx.env, stage=self.name)
        actual = chain_id_of(url)
        if actual != ctx.spec.chain_id:
            raise StageError(
                self.name,
                f"eth_chainId is {actual}, but the spec says chain_id = {ctx.spec.chain_id}",
                cause=f"${ctx.spec.rpc_source} points at another chain, or the spec has the wrong id",
                fix=f"check ${ctx.spec.rpc_source} and chain_id in the spec of {ctx.spec.name}",
            )
