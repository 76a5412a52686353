#!/usr/bin/env bash
# The demo against a hardhat node instead of anvil: batterytrace needs only a JSON-RPC endpoint
# (plus evm_increaseTime for the demo's certification expiry).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
port="${PORT:-8545}"
HARDHAT_DISABLE_TELEMETRY_PROMPT=true node_modules/.bin/hardhat node --port "$port" >/dev/null 2>&1 &
node_pid=$!
trap 'kill "$node_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -s -X POST -H 'content-type: application/json' --data '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
    "http://127.0.0.1:$port" >/dev/null && break
  sleep 0.2
done
.venv/bin/batterytrace --rpc "http://127.0.0.1:$port" demo --out "${OUT:-out/hardhat}" "$@"
