"""`packages/core` of the sandbox monorepo: the package that owns the `deploy-system` hardhat task.

The sandbox does not build TypeScript, so the package is plain JavaScript. It has a package.json and a
hardhat.config.js whose `deploy-system` task calls `deploySphinxSystem` from the published @sphinx-labs/core.
A `node_modules` symlink to the npm toolchain provides hardhat, ethers and the published Sphinx packages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from onboard.errors import OnboardError
from onboard.fsutil import atomic_write
from onboard.sandbox.toolchain import Toolchain

CORE_VERSION = "0.26.0"
HARDHAT_CONFIG = "hardhat.config.js"

# Upstream's packages/core imports SPHINX_NETWORKS from the built contracts package. The sandbox has no build
# step for TypeScript, so the config reads the entries from packages/contracts/src/networks.ts with regular
# expressions over `name: '...'`, `chainId: BigInt(n)` and `rpcUrlId: '...'`. This is the sandbox's
# simplification: it reads object literals written in upstream's style and ignores everything else.
_HARDHAT_CONFIG_JS = r"""// Hardhat configuration of the sandbox's packages/core, written by onboard.
// One hardhat network per SPHINX_NETWORKS entry of ../contracts/src/networks.ts, read without compiling
// TypeScript: regular expressions pick `name`, `chainId: BigInt(n)` and `rpcUrlId` from each object literal.
require('@nomicfoundation/hardhat-ethers')

const fs = require('fs')
const path = require('path')
const { task } = require('hardhat/config')

const NETWORKS_SOURCE = path.join(__dirname, '..', 'contracts', 'src', 'networks.ts')

// Return the text of the array literal assigned to `declaration`, or '' when the file has none.
const arrayLiteral = (source, declaration) => {
  const start = source.search(new RegExp(`export\\s+const\\s+${declaration}\\b`))
  if (start < 0) {
    return ''
  }
  const rest = source.slice(start)
  const next = rest.slice(1).search(/export\s+const\s/)
  return next < 0 ? rest : rest.slice(0, next + 1)
}

const readSphinxNetworks = (source) => {
  const text = arrayLiteral(source, 'SPHINX_NETWORKS')
  const nameField = /\bname\s*:\s*['"]([A-Za-z0-9_]+)['"]/g
  const starts = [...text.matchAll(nameField)]
  return starts.map((match, index) => {
    const end = index + 1 < starts.length ? starts[index + 1].index : text.length
    const entry = text.slice(match.index, end)
    const chainId = entry.match(/\bchainId\s*:\s*BigInt\(\s*['"]?([0-9_]+)['"]?\s*\)/)
    const rpcUrlId = entry.match(/\brpcUrlId\s*:\s*['"]([A-Za-z0-9_]+)['"]/)
    if (!chainId || !rpcUrlId) {
      throw new Error(
        `SPHINX_NETWORKS entry '${match[1]}' in ${NETWORKS_SOURCE} has no chainId: BigInt(n) or rpcUrlId: '...'`
      )
    }
    return { name: match[1], chainId: BigInt(chainId[1].replace(/_/g, '')), rpcUrlId: rpcUrlId[1] }
  })
}

const accounts = process.env.PRIVATE_KEY ? [process.env.PRIVATE_KEY] : []

const networks = {}
for (const network of readSphinxNetworks(fs.readFileSync(NETWORKS_SOURCE, 'utf8'))) {
  // An unset RPC variable gives an empty URL, as upstream's `rpcUrl() ?? ''` does.
  networks[network.name] = { chainId: Number(network.chainId), url: process.env[network.rpcUrlId] ?? '', accounts }
}

// Same steps as upstream's task: deploy every system contract through the deterministic deployment proxy,
// then ask whether the chain supports explorer verification. The published @sphinx-labs/contracts lists only
// upstream's networks, so for any other chain id that question throws after the deployment and the task exits 1.
task('deploy-system')
  .setDescription('Deploys the Sphinx system contracts to the selected network')
  .setAction(async (_, hre) => {
    const core = require('@sphinx-labs/core')
    const { Logger } = require('@eth-optimism/common-ts')
    const { Wallet } = require('ethers')
    const ora = require('ora')

    if (!('url' in hre.network.config)) {
      throw new Error('deploy-system needs a network with a URL; pass --network NAME')
    }
    const provider = new core.SphinxJsonRpcProvider(hre.network.config.url)
    const signer = new Wallet(process.env.PRIVATE_KEY).connect(provider)
    const spinner = ora()

    await core.deploySphinxSystem(provider, signer, [], core.ExecutionMode.LiveNetworkCLI, true, spinner)

    const { chainId } = await provider.getNetwork()
    if (core.isVerificationSupportedForNetwork(chainId)) {
      await core.verifySphinxSystem(provider, new Logger({ name: 'Logger' }))
    } else {
      spinner.info('Verification unsupported on this network')
    }
  })

module.exports = { networks }
"""


def write_core_package(core_dir: Path, *, contracts_version: str) -> None:
    """Write packages/core: its package.json, depending on the workspace's contracts package, and its
    hardhat.config.js with the `deploy-system` task."""
    core_dir.mkdir(parents=True, exist_ok=True)
    manifest = {
        "name": "@sphinx-labs/core",
        "version": CORE_VERSION,
        "main": "dist/index.js",
        "dependencies": {"@sphinx-labs/contracts": f"^{contracts_version}"},
    }
    (core_dir / "package.json").write_text(json.dumps(manifest, indent=2) + "\n")
    atomic_write(core_dir / HARDHAT_CONFIG, _HARDHAT_CONFIG_JS)


def link_toolchain(core_dir: Path, toolchain: Toolchain) -> Path:
    """Point `core_dir/node_modules` at the toolchain's node_modules, so hardhat and the published Sphinx
    packages resolve from the sandbox's packages/core. Return the link."""
    link = core_dir / "node_modules"
    target = toolchain.node_modules
    if link.is_symlink():
        if Path(os.readlink(link)) == target:
            return link
        link.unlink()
    elif link.exists():
        raise OnboardError(
            f"{link} exists and is not a symbolic link",
            cause="the sandbox's packages/core resolves its packages through a link to the npm toolchain",
            fix=f"delete {link}, then run again",
        )
    link.symlink_to(target, target_is_directory=True)
    return link
