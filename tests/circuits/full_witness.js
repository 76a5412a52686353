// Reads {"wasm": path, "inputs": [input, ...]} from stdin and prints, for each input, the full witness
// the circuit's own witness generator computes (every wire, decimal strings), or {"error": message}
// when one of the circuit's asserts stops it. Given the witness generator of a build without
// simplification (--O0), every signal of the circuit is a wire, so this is the value of every signal.
const fs = require("fs");
const path = require("path");

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const request = JSON.parse(Buffer.concat(chunks).toString());
    const builder = require(path.join(path.dirname(request.wasm), "witness_calculator.js"));
    const calculator = await builder(fs.readFileSync(request.wasm), { logOutput: false });
    const results = [];
    for (const input of request.inputs) {
        try {
            const witness = await calculator.calculateWitness(input, true);
            results.push(witness.map(String));
        } catch (error) {
            results.push({ error: String(error.message || error).slice(0, 500) });
        }
    }
    // Exit only once the pipe has taken everything: a witness is larger than one pipe buffer.
    await new Promise((resolve) => process.stdout.write(JSON.stringify(results), resolve));
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
