// Test helper: reads {"wasm": path, "inputs": [{...}, ...]} from stdin and prints, per input, "ok" if
// circom's witness calculator accepts it, else the error message.
"use strict";
const fs = require("fs");
const snarkjs = require("snarkjs");

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const { wasm, inputs } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const code = new Uint8Array(fs.readFileSync(wasm));
    const results = [];
    for (const input of inputs) {
        try {
            await snarkjs.wtns.calculate(input, code, { type: "mem" });
            results.push("ok");
        } catch (error) {
            results.push(error.message);
        }
    }
    process.stdout.write(JSON.stringify(results) + "\n", () => process.exit(0));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
