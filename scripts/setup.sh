#!/usr/bin/env bash
# Installs everything batterytrace needs from the PyPI and npm registries alone, idempotently:
# the npm toolchain (solc-js, anvil, cast, circom2, snarkjs, OpenZeppelin), a Python virtual
# environment with the package and its pinned dependencies, and the solc-compatible wrapper where
# py-solc-x and ape-solidity look for a compiler. Fast when nothing changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '[setup] %s\n' "$*" >&2; }

command -v node >/dev/null || { say "node is required (Node 20 or newer): apt-get install nodejs npm"; exit 1; }
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 18 ]; then say "node $node_major is too old: Node 18 or newer is required"; exit 1; fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (package-lock.json)"
  # `npm install`, not `npm ci`: npm 11 leaves the other platforms' optional packages of anvil and
  # cast out of the lock file and `npm ci` then refuses it; `npm install` installs the locked
  # versions and leaves the lock file as it is.
  npm install --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  say "installing the batterytrace package and its pinned dependencies into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  touch .venv/.installed
fi

solc_version="$(node -p 'require("./node_modules/solc/package.json").version')"
solcx_dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
wrapper="$solcx_dir/solc-v$solc_version"
mkdir -p "$solcx_dir"
wanted="$(printf '#!/bin/sh\n# Installed by batterytrace scripts/setup.sh: solc %s (solc-js) behind a native-compatible CLI.\nexec node "%s/scripts/solc-wrapper.cjs" "$@"\n' "$solc_version" "$root")"
if [ ! -x "$wrapper" ] || [ "$(cat "$wrapper")" != "$wanted" ]; then
  say "installing the solc $solc_version wrapper at $wrapper"
  printf '%s\n' "$wanted" > "$wrapper"
  chmod +x "$wrapper"
fi
