// Test helper: hashes each input list read from stdin (JSON array of arrays of decimal strings) with
// circomlibjs's Poseidon and prints a JSON array of decimal strings. Run with NODE_PATH at node_modules.
"use strict";
const { buildPoseidon, buildPoseidonReference } = require("circomlibjs");

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const inputs = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const poseidon = await buildPoseidon();
    const reference = await buildPoseidonReference();
    const out = inputs.map((values) => {
        const fast = poseidon.F.toString(poseidon(values.map(BigInt)), 10);
        const slow = reference.F.toString(reference(values.map(BigInt)), 10);
        if (fast !== slow) throw new Error(`circomlibjs implementations disagree on ${values}`);
        return fast;
    });
    process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
