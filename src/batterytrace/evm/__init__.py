"""The generic EVM layer: node, signers, transactions, events and reverts; nothing of the domain."""
