// Test helper: answers Baby Jubjub and Poseidon questions with circomlibjs 0.1.7, the reference the
// Python twins (batterytrace.zk.babyjub, .poseidon.poseidon_ex) are held to. Reads a JSON array of
// requests from stdin, each one of
//   {"op": "constants"}                                  -> {base8, generator, order, subOrder, a, d}
//   {"op": "add", "a": [x, y], "b": [x, y]}              -> [x, y]
//   {"op": "mul", "point": [x, y], "scalar": s}          -> [x, y]
//   {"op": "inCurve" | "inSubgroup", "point": [x, y]}    -> true | false
//   {"op": "poseidonEx", "inputs": [...], "initState": s, "nOut": k} -> [out_0, ..., out_{k-1}]
// (numbers as decimal strings) and prints the JSON array of answers. Run with NODE_PATH at node_modules.
"use strict";
const { buildBabyjub, buildPoseidonReference } = require("circomlibjs");

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const requests = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    const babyJub = await buildBabyjub();
    const poseidon = await buildPoseidonReference();
    const F = babyJub.F;
    const point = (p) => [F.e(p[0]), F.e(p[1])];
    const decimal = (p) => p.map((c) => F.toString(c, 10));
    const answers = requests.map((request) => {
        switch (request.op) {
            case "constants":
                return { base8: decimal(babyJub.Base8), generator: decimal(babyJub.Generator),
                         order: babyJub.order.toString(), subOrder: babyJub.subOrder.toString(),
                         a: F.toString(babyJub.A, 10), d: F.toString(babyJub.D, 10) };
            case "add":
                return decimal(babyJub.addPoint(point(request.a), point(request.b)));
            case "mul":
                return decimal(babyJub.mulPointEscalar(point(request.point), BigInt(request.scalar)));
            case "inCurve":
                return babyJub.inCurve(point(request.point));
            case "inSubgroup":
                return babyJub.inSubgroup(point(request.point));
            case "poseidonEx": {
                const out = poseidon(request.inputs.map(BigInt), BigInt(request.initState), request.nOut);
                return (request.nOut === 1 ? [out] : out).map((v) => poseidon.F.toString(v, 10));
            }
            default:
                throw new Error(`unknown request ${request.op}`);
        }
    });
    process.stdout.write(JSON.stringify(answers) + "\n", () => process.exit(0));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
