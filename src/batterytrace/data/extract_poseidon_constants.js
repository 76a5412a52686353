// Extracts the Poseidon round constants (C) and MDS matrices (M) that circomlib's Poseidon(n)
// and circomlibjs's reference implementation use, into poseidon_constants.json (package data).
// Run once from the repository root: node src/batterytrace/data/extract_poseidon_constants.js
// The output is committed, so the Python package never needs node to hash.
"use strict";
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

const here = __dirname;

function findNodeModules() {
    if (process.env.BATTERYTRACE_NODE_MODULES) return process.env.BATTERYTRACE_NODE_MODULES;
    for (const start of [process.cwd(), here]) {
        let dir = path.resolve(start);
        for (;;) {
            const candidate = path.join(dir, "node_modules", "circomlibjs");
            if (fs.existsSync(candidate)) return path.join(dir, "node_modules");
            const parent = path.dirname(dir);
            if (parent === dir) break;
            dir = parent;
        }
    }
    throw new Error("node_modules with circomlibjs not found; set BATTERYTRACE_NODE_MODULES");
}

async function main() {
const source = path.join(findNodeModules(), "circomlibjs", "src", "poseidon_constants.js");
const { default: constants } = await import(pathToFileURL(source).href);

// Decimal strings keep the file readable by any JSON parser without hex handling.
const toDecimal = (x) => BigInt(x).toString(10);
const out = {
    source: "circomlibjs 0.1.7 src/poseidon_constants.js",
    field: "21888242871839275222246405745257275088548364400416034343698204186575808495617",
    n_rounds_f: 8,
    n_rounds_p: [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68],
    C: constants.C.map((row) => row.map(toDecimal)),
    M: constants.M.map((matrix) => matrix.map((row) => row.map(toDecimal))),
};
const target = path.join(here, "poseidon_constants.json");
fs.writeFileSync(target, JSON.stringify(out) + "\n");
console.error(`wrote ${target}`);
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
