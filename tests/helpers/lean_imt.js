// Test helper: zk-kit's own LeanIMT (@zk-kit/lean-imt) with circomlibjs's Poseidon, as a long-lived
// process. Each stdin line is one JSON request {"leaves": [...], "operations": [...], "proofs": [...]}
// (decimal strings); each answer is one JSON line. The tree starts from `leaves` (insertMany), then
// applies each operation: ["insert", leaf], ["insertMany", [leaves]], ["update", oldLeaf, newLeaf],
// ["remove", leaf]. The answer holds the root after each operation, the siblings zk-kit's
// generateProof gives for each updated or removed leaf just before the change, the final size and
// depth, and a proof of each leaf in `proofs`. Run with NODE_PATH at node_modules.
"use strict";
const readline = require("readline");
const { LeanIMT } = require("@zk-kit/lean-imt");
const { buildPoseidon } = require("circomlibjs");

function answer(request, hash) {
    const leaves = (request.leaves || []).map(BigInt);
    const tree = new LeanIMT(hash, leaves);
    const roots = [];
    const siblings = [];
    for (const [kind, first, second] of request.operations || []) {
        if (kind === "insert") {
            tree.insert(BigInt(first));
        } else if (kind === "insertMany") {
            tree.insertMany(first.map(BigInt));
        } else if (kind === "update" || kind === "remove") {
            const index = tree.indexOf(BigInt(first));
            if (index < 0) throw new Error(`leaf ${first} is not in the tree`);
            siblings.push(tree.generateProof(index).siblings.map(String));
            tree.update(index, kind === "update" ? BigInt(second) : 0n);
        } else {
            throw new Error(`unknown operation ${kind}`);
        }
        roots.push(tree.size ? String(tree.root) : "0");
    }
    const proofs = (request.proofs || []).map((leaf) => {
        const proof = tree.generateProof(tree.indexOf(BigInt(leaf)));
        return { leaf: String(proof.leaf), index: proof.index, siblings: proof.siblings.map(String), root: String(proof.root) };
    });
    return { roots, siblings, size: tree.size, depth: tree.depth, root: tree.size ? String(tree.root) : "0", proofs };
}

async function main() {
    const poseidon = await buildPoseidon();
    const hash = (left, right) => poseidon.F.toObject(poseidon([left, right]));
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
        if (!line.trim()) continue;
        let reply;
        try {
            reply = answer(JSON.parse(line), hash);
        } catch (error) {
            reply = { error: String(error && error.stack ? error.stack : error) };
        }
        process.stdout.write(JSON.stringify(reply) + "\n");
    }
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
