// A second local node for checking that batterytrace runs on any EVM JSON-RPC node, not only
// anvil: `npx hardhat node` (see scripts/demo-on-hardhat.sh and tests/demo/test_demo.py).
// Hardhat compiles nothing here: the contracts are built by the project's own solc wrapper.
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "cancun",
    },
  },
};
