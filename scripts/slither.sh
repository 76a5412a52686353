#!/usr/bin/env bash
# Static analysis of our contracts with slither (pin: slither-analyzer==0.11.6), compiled by the
# project's own solc (scripts/solc-wrapper.cjs installed as ~/.solcx/solc-v0.8.37 by setup.sh).
#
# Each top-level contract is analysed as its own compilation unit (slither takes one target, and the
# wrapper answers --combined-json per file). OpenZeppelin (node_modules) is a dependency and the
# snarkjs verifiers (contracts/verifiers) are generated, so findings inside them are filtered out.
# Writes one JSON report per contract to $SLITHER_OUT (default .build/slither), prints every finding
# with its impact, and exits 1 when a High or Medium finding is not in the justified allowlist
# tests/hardening/slither-allowlist.json (see docs/SECURITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."

SLITHER=${SLITHER:-.venv/bin/slither}
PYTHON=${PYTHON:-.venv/bin/python}
SOLC=${SOLC:-$HOME/.solcx/solc-v0.8.37}
OUT=${SLITHER_OUT:-.build/slither}
# The benchmarks' yardstick ERC-721 is not shipped, but is analysed too: it is deployed on the same
# chains as the benchmarks, and tests/hardening/test_slither.py expects its report.
SOURCES=(contracts/Registry.sol contracts/ShieldedLedger.sol contracts/BatteryPassport.sol bench/contracts/ReferenceERC721.sol)

if ! command -v "$SLITHER" >/dev/null 2>&1; then
  echo "error: slither not found at $SLITHER: .venv/bin/pip install slither-analyzer==0.11.6" >&2
  exit 2
fi
if [ ! -x "$SOLC" ]; then
  echo "error: no compiler at $SOLC: run make setup" >&2
  exit 2
fi
mkdir -p "$OUT"
for source in "${SOURCES[@]}"; do
  report="$OUT/$(basename "$source" .sol).json"
  # slither exits non-zero when it finds anything; the triage below decides what fails.
  "$SLITHER" "$source" \
    --compile-force-framework solc \
    --solc "$SOLC" \
    --solc-remaps "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/ @zk-kit/lean-imt.sol/=node_modules/@zk-kit/lean-imt.sol/ poseidon-solidity/=node_modules/poseidon-solidity/" \
    --filter-paths "node_modules|contracts/verifiers" \
    --exclude-dependencies \
    --json - >"$report" 2>"$report.log" || true
  if ! "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("success") else 1)' "$report"; then
    echo "error: slither failed on $source (see $report.log)" >&2
    tail -20 "$report.log" >&2
    exit 2
  fi
done

"$PYTHON" - "$OUT" tests/hardening/slither-allowlist.json "${SOURCES[@]}" <<'PY'
import json, sys
from collections import Counter
from pathlib import Path

out, allowlist_path, sources = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
allowed = {(item["check"], item["function"]) for item in json.loads(allowlist_path.read_text())["allow"]}
seen, counts, blocking = set(), Counter(), []
for source in sources:
    report = json.loads((out / f"{Path(source).stem}.json").read_text())
    for finding in (report.get("results") or {}).get("detectors", []):
        key = finding["id"]
        if key in seen:  # shared bases (ProofGate, Roles) appear in several units
            continue
        seen.add(key)
        counts[finding["impact"]] += 1
        element = next((e["name"] for e in finding["elements"] if e["type"] == "function"), "")
        allowed_here = (finding["check"], element) in allowed
        flag = " (allowlisted)" if allowed_here else ""
        print(f"[{finding['impact']}] {finding['check']}{flag}: {finding['description'].splitlines()[0]}")
        if finding["impact"] in ("High", "Medium") and not allowed_here:
            blocking.append(finding["check"])
summary = ", ".join(f"{impact} {counts.get(impact, 0)}" for impact in ("High", "Medium", "Low", "Informational", "Optimization"))
print(f"slither: {summary}")
if blocking:
    print(f"error: {len(blocking)} High/Medium finding(s) not in {allowlist_path}: {sorted(set(blocking))}", file=sys.stderr)
    sys.exit(1)
PY
