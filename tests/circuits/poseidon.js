// Reads a JSON array of Poseidon input arrays (decimal strings) from stdin and prints a JSON array of
// their circomlib Poseidon hashes (decimal strings).
const { buildPoseidon } = require("circomlibjs");

async function main() {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const requests = JSON.parse(Buffer.concat(chunks).toString());
    const poseidon = await buildPoseidon();
    const hashes = requests.map((values) => poseidon.F.toString(poseidon(values.map(BigInt))));
    process.stdout.write(JSON.stringify(hashes));
}

main().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
