// Test helper: reads {"vkey": ..., "cases": [{"proof": ..., "publicSignals": [...]}]} from stdin and
// prints {"verified": [bool|"error: ..."], "calldata": [string|null]} computed by snarkjs itself.
"use strict";
const snarkjs = require("snarkjs");

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const { vkey, cases } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const verified = [];
    const calldata = [];
    for (const { proof, publicSignals } of cases) {
        try {
            verified.push(await snarkjs.groth16.verify(vkey, publicSignals, proof, silent));
        } catch (error) {
            verified.push(`error: ${error.message}`);
        }
        try {
            calldata.push(await snarkjs.groth16.exportSolidityCallData(proof, publicSignals));
        } catch (error) {
            calldata.push(null);
        }
    }
    process.stdout.write(JSON.stringify({ verified, calldata }) + "\n", () => process.exit(0));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
