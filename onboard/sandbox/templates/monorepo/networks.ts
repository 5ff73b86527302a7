export type ExplorerName = 'Blockscout' | 'Etherscan'

export type BlockExplorers = {
  etherscan?: {
    apiURL: string
    browserURL: string
    envKey: string
  }
  blockscout?: {
    apiURL: string
    browserURL: string
    envKey: string
    selfHosted: boolean
  }
}

export type NetworkType = 'Testnet' | 'Mainnet' | 'Local'
type RollupProvider = 'Conduit' | 'Caldera' | 'None'
type RollupType = 'OP Stack' | 'Arbitrum' | 'Polygon CDK'

export type SupportedNetwork = {
  name: string
  displayName: string
  chainId: bigint
  rpcUrl: () => string
  rpcUrlId: string
  blockexplorers: BlockExplorers
  currency: string
  dripSize: string
  networkType: NetworkType
  dripVersion: number
  decimals: number
  queryFilterBlockLimit: number
  legacyTx: boolean
  actionGasLimitBuffer: boolean
  eip2028: boolean
  actionTransactionBatching: boolean
  rollupStack?: {
    provider: RollupProvider
    type: RollupType
  }
  hardcodedMerkleLeafGas?: string
}

export type SupportedLocalNetwork = {
  name: string
  chainId: bigint
  networkType: NetworkType
  legacyTx: false
  actionGasLimitBuffer: false
  eip2028: true
  dripSize: string
  currency: string
}

export const SPHINX_LOCAL_NETWORKS: Array<SupportedLocalNetwork> = [
  {
    name: 'anvil',
    chainId: BigInt(31337),
    networkType: 'Local',
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    dripSize: '1',
    currency: 'ETH',
  },
]

export const SPHINX_NETWORKS: Array<SupportedNetwork> = [
  {
    name: 'ethereum',
    displayName: 'Ethereum',
    chainId: BigInt(1),
    rpcUrl: () => process.env.ETH_MAINNET_URL!,
    rpcUrlId: 'ETH_MAINNET_URL',
    blockexplorers: {
      etherscan: {
        apiURL: 'https://api.etherscan.io/api',
        browserURL: 'https://etherscan.io',
        envKey: 'ETH_ETHERSCAN_API_KEY',
      },
      blockscout: {
        apiURL: 'https://eth.blockscout.com/api',
        browserURL: 'https://eth.blockscout.com',
        envKey: 'ETH_BLOCKSCOUT_API_KEY',
        selfHosted: false,
      },
    },
    currency: 'ETH',
    dripSize: '0.15',
    networkType: 'Mainnet',
    dripVersion: 2,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    actionTransactionBatching: true,
  },
  {
    name: 'sepolia',
    displayName: 'Sepolia',
    chainId: BigInt(11155111),
    rpcUrl: () => process.env.ETH_SEPOLIA_URL!,
    rpcUrlId: 'ETH_SEPOLIA_URL',
    blockexplorers: {
      etherscan: {
        apiURL: 'https://api-sepolia.etherscan.io/api',
        browserURL: 'https://sepolia.etherscan.io',
        envKey: 'ETH_ETHERSCAN_API_KEY',
      },
    },
    currency: 'ETH',
    dripSize: '1',
    networkType: 'Testnet',
    dripVersion: 2,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    actionTransactionBatching: true,
  },
  // OP Stack chains
  {
    name: 'optimism',
    displayName: 'Optimism',
    chainId: BigInt(10),
    rpcUrl: () => process.env.OPT_MAINNET_URL!,
    rpcUrlId: 'OPT_MAINNET_URL',
    blockexplorers: {
      etherscan: {
        apiURL: 'https://api-optimistic.etherscan.io/api',
        browserURL: 'https://optimistic.etherscan.io',
        envKey: 'OPT_ETHERSCAN_API_KEY',
      },
    },
    currency: 'ETH',
    dripSize: '0.025',
    networkType: 'Mainnet',
    dripVersion: 2,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    actionTransactionBatching: true,
    rollupStack: {
      provider: 'None',
      type: 'OP Stack',
    },
  },
  {
    name: 'base_sepolia',
    displayName: 'Base Sepolia',
    chainId: BigInt(84532),
    rpcUrl: () => process.env.BASE_SEPOLIA_URL!,
    rpcUrlId: 'BASE_SEPOLIA_URL',
    blockexplorers: {
      blockscout: {
        browserURL: 'https://base-sepolia.blockscout.com',
        apiURL: 'https://base-sepolia.blockscout.com/api',
        // The hosted Blockscout accepts requests without a key.
        envKey: 'BASE_SEPOLIA_BLOCKSCOUT_API_KEY',
        selfHosted: false,
      },
    },
    currency: 'ETH',
    dripSize: '0.15',
    networkType: 'Testnet',
    dripVersion: 1,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    rollupStack: {
      provider: 'None',
      type: 'OP Stack',
    },
    actionTransactionBatching: true,
  },
  {
    name: 'polygon',
    displayName: 'Polygon',
    chainId: BigInt(137),
    rpcUrl: () => `${process.env.POLYGON_MAINNET_URL}`,
    rpcUrlId: 'POLYGON_MAINNET_URL',
    blockexplorers: {
      etherscan: {
        apiURL: 'https://api.polygonscan.com/api',
        browserURL: 'https://polygonscan.com',
        envKey: 'POLYGON_ETHERSCAN_API_KEY',
      },
    },
    currency: 'MATIC',
    dripSize: '1',
    networkType: 'Mainnet',
    dripVersion: 2,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    actionTransactionBatching: true,
  },
  {
    name: 'fantom_testnet',
    displayName: 'Fantom Testnet',
    chainId: BigInt(4002),
    rpcUrl: () => process.env.FANTOM_TESTNET_URL!,
    rpcUrlId: 'FANTOM_TESTNET_URL',
    // No explorer verifies contracts on this network.
    blockexplorers: {},
    currency: 'FTM',
    dripSize: '1',
    networkType: 'Testnet',
    dripVersion: 2,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    actionTransactionBatching: true,
  },
  {
    name: 'moonbeam',
    displayName: 'Moonbeam',
    chainId: BigInt(1284),
    rpcUrl: () => process.env.MOONBEAM_MAINNET_URL!,
    rpcUrlId: 'MOONBEAM_MAINNET_URL',
    blockexplorers: {
      etherscan: {
        apiURL: 'https://api-moonbeam.moonscan.io/api',
        browserURL: 'https://moonscan.io',
        envKey: 'MOONBEAM_ETHERSCAN_API_KEY',
      },
    },
    currency: 'GLMR',
    dripSize: '1',
    networkType: 'Mainnet',
    dripVersion: 0,
    decimals: 18,
    // eth_getLogs on Moonbeam rejects ranges above 500 blocks.
    queryFilterBlockLimit: 500,
    legacyTx: false,
    actionGasLimitBuffer: false,
    eip2028: true,
    hardcodedMerkleLeafGas: (10_500_000).toString(),
    actionTransactionBatching: false,
  },
  {
    name: 'rootstock_testnet',
    displayName: 'Rootstock Testnet',
    chainId: BigInt(31),
    rpcUrl: () => process.env.ROOTSTOCK_TESTNET_URL!,
    rpcUrlId: 'ROOTSTOCK_TESTNET_URL',
    blockexplorers: {
      blockscout: {
        apiURL: 'https://rootstock-testnet.blockscout.com/api',
        browserURL: 'https://rootstock-testnet.blockscout.com',
        envKey: 'ROOTSTOCK_TESTNET_BLOCKSCOUT_API_KEY',
        selfHosted: false,
      },
    },
    currency: 'RBTC',
    dripSize: '0.001',
    networkType: 'Testnet',
    dripVersion: 1,
    decimals: 18,
    queryFilterBlockLimit: 2000,
    legacyTx: true,
    actionGasLimitBuffer: true,
    eip2028: false,
    actionTransactionBatching: false,
  },
]

// Networks Sphinx no longer supports. Their names and chain ids stay reserved.
export const DEPRECATED_SPHINX_NETWORKS = [
  {
    name: 'goerli',
    chainId: BigInt(5),
    blockexplorers: {
      etherscan: {
        browserURL: 'https://goerli.etherscan.io',
      },
      blockscout: undefined,
    },
  },
  {
    name: 'optimism_goerli',
    chainId: BigInt(420),
    blockexplorers: {},
  },
  {
    name: 'polygon_mumbai',
    chainId: BigInt(80001),
    blockexplorers: {
      etherscan: {
        apiURL: 'https://api-testnet.polygonscan.com/api',
        browserURL: 'https://mumbai.polygonscan.com',
        envKey: 'POLYGON_ETHERSCAN_API_KEY',
      },
    },
  },
]
