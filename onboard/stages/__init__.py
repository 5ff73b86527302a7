"""The pipeline's stages, in the order `onboard network NAME` runs them."""

from __future__ import annotations

import importlib

from onboard.stages.base import Context, Plan, Stage

# name -> "module:class". Imported lazily so that `onboard spec ...` does not load web3 or tree-sitter.
_STAGES = {
    "spec": "onboard.stages.spec:SpecStage",
    "compat": "onboard.stages.compat:CompatStage",
    "networks": "onboard.stages.networks:NetworksStage",
    "secrets": "onboard.stages.secrets:SecretsStage",
    "deploy": "onboard.stages.deploy:DeployStage",
    "release": "onboard.stages.release:ReleaseStage",
    "bump": "onboard.stages.bump:BumpStage",
    "containers": "onboard.stages.containers:ContainersStage",
    "register": "onboard.stages.register:RegisterStage",
}


def stage_names() -> list[str]:
    return list(_STAGES)


def load_stage(name: str) -> Stage:
    module_name, class_name = _STAGES[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)()


__all__ = ["Context", "Plan", "Stage", "load_stage", "stage_names"]
