// Long-lived Groth16 prover for batterytrace's Python SDK.
//
// Protocol: one JSON request per line on stdin,
//   {"id": <any>, "wasm": "<path>", "zkey": "<path>", "input": {...}}
// and one JSON response per line on stdout, in the order requests arrive:
//   {"id": <same>, "proof": {...snarkjs proof...}, "publicSignals": [...], "ms": <number>}
//   {"id": <same>, "error": "<message>"}
// A request {"id": ..., "ping": true} answers {"id": ..., "pong": true} once snarkjs is loaded.
// stdout carries nothing else: console.log (also used by circom's log()) goes to stderr.
//
// Staying alive is the point: snarkjs's bn128 curve (with its worker threads) is built once and
// circuit files are read once, instead of on every `snarkjs groth16 fullprove`.
"use strict";

const fs = require("fs");
const readline = require("readline");

console.log = console.error;
console.info = console.error;
console.warn = console.error;

let snarkjs;
try {
    // NODE_PATH (set by the Python side) points at the repository's node_modules.
    snarkjs = require("snarkjs");
} catch (error) {
    process.stdout.write(JSON.stringify({ id: null, error: `cannot load snarkjs: ${error.message}` }) + "\n");
    process.exit(2);
}

// Circuit files by path, reloaded when the file changes (a new ceremony rewrites them).
const fileCache = new Map();

function readCached(path) {
    const stat = fs.statSync(path);
    const cached = fileCache.get(path);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.data;
    const data = new Uint8Array(fs.readFileSync(path));
    fileCache.set(path, { mtimeMs: stat.mtimeMs, size: stat.size, data });
    return data;
}

function send(message) {
    process.stdout.write(JSON.stringify(message) + "\n");
}

async function handle(line) {
    let request;
    try {
        request = JSON.parse(line);
    } catch (error) {
        send({ id: null, error: `request is not JSON: ${error.message}` });
        return;
    }
    const id = request.id === undefined ? null : request.id;
    if (request.ping) {
        send({ id, pong: true });
        return;
    }
    try {
        const started = Date.now();
        const wasm = readCached(request.wasm);
        const zkey = readCached(request.zkey);
        const { proof, publicSignals } = await snarkjs.groth16.fullProve(request.input, wasm, zkey);
        send({ id, proof, publicSignals, ms: Date.now() - started });
    } catch (error) {
        const message = error && error.message ? error.message : String(error);
        send({ id, error: message });
    }
}

// Requests are proven one at a time: snarkjs already uses every core for one proof.
let queue = Promise.resolve();
const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
    if (line.trim() === "") return;
    queue = queue.then(() => handle(line));
});
lines.on("close", () => {
    queue.then(() => process.exit(0));
});
