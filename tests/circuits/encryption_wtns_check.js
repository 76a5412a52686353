// Test helper: reads {"r1cs": path, "witnesses": [path, ...]} from stdin, runs snarkjs `wtns check` on
// each .wtns file (written by the test, not by the witness generator) and prints a JSON array of
// booleans, true where the witness satisfies every constraint.
"use strict";
const snarkjs = require("snarkjs");

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const request = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const silent = { info() {}, warn() {}, error() {}, debug() {} };
    const results = [];
    for (const path of request.witnesses) {
        results.push(Boolean(await snarkjs.wtns.check(request.r1cs, path, silent)));
    }
    process.stdout.write(JSON.stringify(results) + "\n", () => process.exit(0));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
