"""The deploy stage's parts: the JSON-RPC client, the system contracts, the pre-flight, the hardhat task and
the on-chain evidence of what it did."""
