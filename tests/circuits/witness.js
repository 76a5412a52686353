// Reads {"wasm": path, "r1cs": path, "inputs": [input, ...]} from stdin. For each input it computes the
// witness with snarkjs (the circuit's own asserts run here) and then checks it against the r1cs, as
// `snarkjs wtns calculate` followed by `snarkjs wtns check` would. Prints a JSON array of
// {"stage": "accepted" | "calculate" | "check", "error": string | null, "publicSignals": [...]}.
const snarkjs = require("snarkjs");
const fs = require("fs");

function nPublic(r1csPath) {
    // r1cs header: magic, version, sections; header section holds field size then counts.
    const data = fs.readFileSync(r1csPath);
    let offset = 12;
    while (offset < data.length) {
        const type = data.readUInt32LE(offset);
        const size = Number(data.readBigUInt64LE(offset + 4));
        if (type === 1) {
            const n8 = data.readUInt32LE(offset + 12);
            const counts = offset + 12 + 4 + n8;
            const nOutputs = data.readUInt32LE(counts + 4);
            const nPubInputs = data.readUInt32LE(counts + 8);
            return nOutputs + nPubInputs;
        }
        offset += 12 + size;
    }
    throw new Error("no header section in " + r1csPath);
}

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const request = JSON.parse(Buffer.concat(chunks).toString());
    const publicCount = nPublic(request.r1cs);
    const results = [];
    for (const input of request.inputs) {
        const wtns = { type: "mem" };
        try {
            await snarkjs.wtns.calculate(input, request.wasm, wtns);
        } catch (error) {
            results.push({ stage: "calculate", error: String(error.message || error).slice(0, 300),
                           publicSignals: null });
            continue;
        }
        const witness = await snarkjs.wtns.exportJson(wtns);
        const publicSignals = witness.slice(1, 1 + publicCount).map(String);
        const ok = await snarkjs.wtns.check(request.r1cs, wtns);
        results.push({ stage: ok ? "accepted" : "check", error: ok ? null : "wtns check failed",
                       publicSignals });
    }
    process.stdout.write(JSON.stringify(results));
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
