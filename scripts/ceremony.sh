#!/usr/bin/env bash
# Runs the batterytrace trusted setup end to end: compiles every circuit, runs a Powers-of-Tau phase 1
# sized to the largest circuit, a Groth16 phase 2 per circuit, and writes the committed outputs
# (witness generators, final zkeys, verification keys, Solidity verifiers, transcript, manifest).
#
# Every contribution here is made on this one machine from /dev/urandom, so the keys it produces are
# DEVELOPMENT KEYS: whoever ran it can forge proofs. circuits/ceremony/README.md says how a consortium
# runs the real multi-party ceremony.
#
# Usage: scripts/ceremony.sh [circuit...]    (default: all of custody origin note_transform pack_batch)
#   Only the named circuits are set up again; the phase 1 file in circuits/build/ptau is reused when
#   its power still fits. CEREMONY_POWER=<n> forces the phase 1 power.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

all_circuits=(custody origin note_transform pack_batch)
build=circuits/build
ptau_dir=$build/ptau
keys=src/batterytrace/keys
verifiers=contracts/verifiers
ceremony=circuits/ceremony
mkdir -p "$build" "$ptau_dir" "$keys" "$verifiers" "$ceremony"

snarkjs() { npx --no-install snarkjs "$@"; }
entropy() { head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
contract_name() {
    case $1 in
        custody) echo CustodyVerifier ;;
        origin) echo OriginVerifier ;;
        note_transform) echo NoteTransformVerifier ;;
        pack_batch) echo PackBatchVerifier ;;
        *) echo "unknown circuit: $1" >&2; return 1 ;;
    esac
}

if [[ $# -gt 0 ]]; then selected=("$@"); else selected=("${all_circuits[@]}"); fi
for circuit in "${selected[@]}"; do contract_name "$circuit" >/dev/null; done

# Compile every circuit, not only the selected ones: the phase 1 power depends on the largest.
compile() {
    local circuit=$1
    mkdir -p "$build/$circuit"
    npx --no-install circom2 "circuits/$circuit.circom" --O2 --r1cs --wasm --sym \
        -l node_modules -o "$build/$circuit" >"$build/$circuit/compile.log" 2>&1 \
        || { cat "$build/$circuit/compile.log" >&2; echo "circom failed on $circuit" >&2; exit 1; }
    snarkjs r1cs info "$build/$circuit/$circuit.r1cs" >"$build/$circuit/info.log" 2>&1
}
started=$SECONDS
for circuit in "${all_circuits[@]}"; do compile "$circuit"; done
compile_seconds=$((SECONDS - started))
echo "compiled ${all_circuits[*]} in ${compile_seconds}s"

# Groth16 needs a domain of at least constraints + public inputs + 1 points.
needed_power=8
for circuit in "${all_circuits[@]}"; do
    constraints=$(sed -n 's/.*# of Constraints: *\([0-9]*\).*/\1/p' "$build/$circuit/info.log")
    public=$(sed -n 's/.*# of Public Inputs: *\([0-9]*\).*/\1/p' "$build/$circuit/info.log")
    outputs=$(sed -n 's/.*# of Outputs: *\([0-9]*\).*/\1/p' "$build/$circuit/info.log")
    while (( constraints + public + outputs + 1 > (1 << needed_power) )); do needed_power=$((needed_power + 1)); done
done
power=${CEREMONY_POWER:-$needed_power}
echo "phase 1 power: $power (largest circuit needs $needed_power)"
final_ptau=$ptau_dir/pot${power}_final.ptau

phase1_seconds=0
if [[ ! -f $final_ptau ]]; then
    started=$SECONDS
    log=$ptau_dir/phase1.log
    : >"$log"
    beacon=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    snarkjs powersoftau new bn128 "$power" "$ptau_dir/pot${power}_0000.ptau" >>"$log" 2>&1
    snarkjs powersoftau contribute "$ptau_dir/pot${power}_0000.ptau" "$ptau_dir/pot${power}_0001.ptau" \
        --name="development contributor 1" -e="$(entropy)" -v >>"$log" 2>&1
    snarkjs powersoftau contribute "$ptau_dir/pot${power}_0001.ptau" "$ptau_dir/pot${power}_0002.ptau" \
        --name="development contributor 2" -e="$(entropy)" -v >>"$log" 2>&1
    snarkjs powersoftau beacon "$ptau_dir/pot${power}_0002.ptau" "$ptau_dir/pot${power}_beacon.ptau" \
        "$beacon" 10 -n="development beacon" -v >>"$log" 2>&1
    snarkjs powersoftau prepare phase2 "$ptau_dir/pot${power}_beacon.ptau" "$final_ptau.tmp" -v >>"$log" 2>&1
    mv "$final_ptau.tmp" "$final_ptau"
    rm -f "$ptau_dir/pot${power}_000"[0-2].ptau
    phase1_seconds=$((SECONDS - started))
    printf '{"power": %d, "beacon": "%s", "beaconIterationsExp": 10, "seconds": %d, "date": "%s"}\n' \
        "$power" "$beacon" "$phase1_seconds" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$ptau_dir/phase1.json"
    echo "phase 1 done in ${phase1_seconds}s"
    # Every zkey must come from the same phase 1, so a new phase 1 redoes every circuit.
    selected=("${all_circuits[@]}")
else
    echo "phase 1 reused: $final_ptau"
fi
if [[ ${CEREMONY_PHASE1_ONLY:-0} == 1 ]]; then exit 0; fi

for circuit in "${selected[@]}"; do
    started=$SECONDS
    dir=$build/$circuit
    log=$dir/phase2.log
    : >"$log"
    beacon=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    snarkjs groth16 setup "$dir/$circuit.r1cs" "$final_ptau" "$dir/${circuit}_0000.zkey" >>"$log" 2>&1
    snarkjs zkey contribute "$dir/${circuit}_0000.zkey" "$dir/${circuit}_0001.zkey" \
        --name="development contributor 1" -e="$(entropy)" -v >>"$log" 2>&1
    snarkjs zkey contribute "$dir/${circuit}_0001.zkey" "$dir/${circuit}_0002.zkey" \
        --name="development contributor 2" -e="$(entropy)" -v >>"$log" 2>&1
    snarkjs zkey beacon "$dir/${circuit}_0002.zkey" "$dir/${circuit}_final.zkey" \
        "$beacon" 10 -n="development beacon" -v >>"$log" 2>&1
    snarkjs zkey verify "$dir/$circuit.r1cs" "$final_ptau" "$dir/${circuit}_final.zkey" >"$dir/verify.log" 2>&1
    grep -q "ZKey Ok!" "$dir/verify.log" || { echo "zkey verify failed for $circuit" >&2; exit 1; }

    cp "$dir/${circuit}_final.zkey" "$keys/$circuit.zkey"
    cp "$dir/${circuit}_js/$circuit.wasm" "$keys/$circuit.wasm"
    snarkjs zkey export verificationkey "$keys/$circuit.zkey" "$keys/$circuit.vkey.json" >/dev/null 2>&1
    scripts/export_verifier.sh "$keys/$circuit.zkey" "$(contract_name "$circuit")" \
        "$verifiers/$(contract_name "$circuit").sol"
    seconds=$((SECONDS - started))
    printf '{"beacon": "%s", "beaconIterationsExp": 10, "seconds": %d, "date": "%s"}\n' \
        "$beacon" "$seconds" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$dir/phase2.json"
    echo "phase 2 for $circuit done in ${seconds}s"
done

# Transcript and manifest: hashes of everything, the contribution hashes snarkjs printed, beacons,
# timings, and per circuit its public signal order (read back from the compiled .sym file).
node - "$power" "${all_circuits[@]}" <<'JS'
const fs = require("fs");
const crypto = require("crypto");
const [power, ...circuits] = process.argv.slice(2);
const sha256 = (path) => crypto.createHash("sha256").update(fs.readFileSync(path)).digest("hex");
const contracts = { custody: "CustodyVerifier", origin: "OriginVerifier",
                    note_transform: "NoteTransformVerifier", pack_batch: "PackBatchVerifier" };
const strip = (text) => text.replace(/\x1b\[[0-9;]*m/g, "");
function contributionHashes(logPath) {
    const lines = strip(fs.readFileSync(logPath, "utf8")).split("\n");
    const hashes = [];
    lines.forEach((line, index) => {
        const match = line.match(/snarkJS: (.*Hash[^:]*):\s*$/);
        if (match) {
            hashes.push({ title: match[1].trim(),
                          hash: lines.slice(index + 1, index + 5).join("").replace(/\s+/g, "") });
        }
    });
    return hashes;
}
function infoCount(text, label) {
    return Number(strip(text).match(new RegExp("# of " + label + ": *(\\d+)"))[1]);
}
const transcriptPath = "circuits/ceremony/transcript.json";
const previous = fs.existsSync(transcriptPath) ? JSON.parse(fs.readFileSync(transcriptPath, "utf8")) : {};
const ptau = `circuits/build/ptau/pot${power}_final.ptau`;
const phase1 = JSON.parse(fs.readFileSync("circuits/build/ptau/phase1.json", "utf8"));
const transcript = {
    development: true,
    warning: "DEVELOPMENT KEYS: every contribution was made on one machine by one party, who could " +
             "forge proofs. Never use these keys in production; see circuits/ceremony/README.md.",
    date: new Date().toISOString(),
    power: Number(power),
    phase1: { ...phase1, ptau: ptau.split("/").pop(), ptauSha256: sha256(ptau),
              contributions: contributionHashes("circuits/build/ptau/phase1.log") },
    circuits: {},
    files: {},
};
const manifest = { generatedBy: "scripts/ceremony.sh", development: true, ptauPower: Number(power),
                   circuits: {} };
for (const circuit of circuits) {
    const build = `circuits/build/${circuit}`;
    const phase2Path = `${build}/phase2.json`;
    const phase2 = fs.existsSync(phase2Path) ? JSON.parse(fs.readFileSync(phase2Path, "utf8")) : null;
    const info = fs.readFileSync(`${build}/info.log`, "utf8");
    const publicCount = infoCount(info, "Public Inputs") + infoCount(info, "Outputs");
    const names = {};
    for (const row of fs.readFileSync(`${build}/${circuit}.sym`, "utf8").split("\n")) {
        const [, wire, , name] = row.split(",");
        if (Number(wire) >= 1 && Number(wire) <= publicCount) names[Number(wire)] = name.replace(/^main\./, "");
    }
    const source = `circuits/${circuit}.circom`;
    const main = fs.readFileSync(source, "utf8").match(/component\s+main[^=]*=\s*(\w+)\(([^)]*)\)/);
    const files = {
        wasm: `src/batterytrace/keys/${circuit}.wasm`,
        zkey: `src/batterytrace/keys/${circuit}.zkey`,
        vkey: `src/batterytrace/keys/${circuit}.vkey.json`,
        verifier: `contracts/verifiers/${contracts[circuit]}.sol`,
    };
    for (const path of Object.values(files)) transcript.files[path] = sha256(path);
    const kept = previous.circuits?.[circuit];
    if (kept && (!phase2 || kept.date === phase2.date)) {
        transcript.circuits[circuit] = kept;
    } else if (phase2) {
        transcript.circuits[circuit] = {
            ...phase2,
            r1csSha256: sha256(`${build}/${circuit}.r1cs`),
            contributions: contributionHashes(`${build}/phase2.log`),
            zkeyVerified: true,
        };
    } else {
        throw new Error(`no phase 2 record for ${circuit}: run scripts/ceremony.sh ${circuit}`);
    }
    manifest.circuits[circuit] = {
        source,
        template: main[1],
        parameters: main[2].split(",").map((p) => p.trim()).filter(Boolean).map(Number),
        publicSignals: Array.from({ length: publicCount }, (_, i) => names[i + 1]),
        constraints: infoCount(info, "Constraints"),
        ptauPower: Number(power),
        verifierContract: contracts[circuit],
        ...files,
    };
}
fs.writeFileSync(transcriptPath, JSON.stringify(transcript, null, 2) + "\n");
fs.writeFileSync("circuits/manifest.json", JSON.stringify(manifest, null, 2) + "\n");
JS
echo "wrote $ceremony/transcript.json and circuits/manifest.json"
