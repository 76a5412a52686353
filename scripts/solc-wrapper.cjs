#!/usr/bin/env node
// A solc-compatible command line over the official compiler built to WebAssembly (npm `solc`).
//
// No native solc installs from the package registries this project may use, and py-solc-x and
// ape-solidity only look for an executable named `solc-v<version>` in the solcx folder. This script
// answers the subset of the native CLI they call: --version, --help, --standard-json and
// --combined-json. It never prints anything but the compiler's answer on stdout (solc-js's own CLI
// prints a line about SMT solvers there, which breaks the JSON), and it sets process.exitCode and
// lets Node drain stdout instead of calling process.exit(), which cuts piped output at 128 KiB.
"use strict";

const fs = require("fs");
const path = require("path");

const solcModuleDir = process.env.BATTERYTRACE_SOLC_MODULE || path.join(__dirname, "..", "node_modules", "solc");
const solc = require(solcModuleDir);

const COMBINED_JSON_OUTPUTS = [
  "abi", "asm", "ast", "bin", "bin-runtime", "devdoc", "function-debug", "function-debug-runtime",
  "generated-sources", "generated-sources-runtime", "hashes", "metadata", "opcodes", "srcmap",
  "srcmap-runtime", "storage-layout", "userdoc",
];
const OPTIONS_WITH_VALUE = new Set([
  "--base-path", "--include-path", "--allow-paths", "--combined-json", "--evm-version",
  "--optimize-runs", "--output-dir", "--libraries",
]);

function parseArguments(argv) {
  const parsed = { flags: new Set(), values: {}, includePaths: [], remappings: [], files: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument.startsWith("--")) {
      const [name, inlineValue] = argument.split(/=(.*)/s, 2);
      if (OPTIONS_WITH_VALUE.has(name)) {
        const value = inlineValue !== undefined ? inlineValue : argv[++index];
        if (value === undefined) throw new Error(`option ${name} needs a value`);
        if (name === "--include-path") parsed.includePaths.push(value);
        else parsed.values[name] = value;
      } else {
        parsed.flags.add(name);
      }
    } else if (argument !== "-" && argument.includes("=") && !fs.existsSync(argument)) {
      parsed.remappings.push(argument);
    } else {
      parsed.files.push(argument);
    }
  }
  return parsed;
}

function makeImportCallback(basePath, includePaths) {
  const roots = [basePath, ...includePaths, process.cwd()].filter(Boolean);
  return function findImport(importPath) {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((root) => path.resolve(root, importPath));
    for (const candidate of candidates) {
      if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
        return { contents: fs.readFileSync(candidate, "utf8") };
      }
    }
    return { error: `File not found: ${importPath} (looked in ${roots.join(", ")})` };
  };
}

function compileStandardJson(inputText, options) {
  const callback = makeImportCallback(options.values["--base-path"], options.includePaths);
  return solc.compile(inputText, { import: callback });
}

function combinedJson(options, stdinText) {
  const wanted = options.values["--combined-json"].split(",").filter(Boolean);
  for (const output of wanted) {
    if (!COMBINED_JSON_OUTPUTS.includes(output)) {
      throw Object.assign(new Error(`Invalid option to --combined-json: ${output}`), { userError: true });
    }
  }
  const sources = {};
  if (options.files.length === 0 || options.files.includes("-")) sources["<stdin>"] = { content: stdinText };
  for (const file of options.files.filter((name) => name !== "-")) {
    sources[file] = { content: fs.readFileSync(file, "utf8") };
  }
  const selection = new Set();
  const map = {
    abi: "abi", asm: "evm.legacyAssembly", bin: "evm.bytecode.object", "bin-runtime": "evm.deployedBytecode.object",
    devdoc: "devdoc", userdoc: "userdoc", metadata: "metadata", opcodes: "evm.bytecode.opcodes",
    srcmap: "evm.bytecode.sourceMap", "srcmap-runtime": "evm.deployedBytecode.sourceMap",
    hashes: "evm.methodIdentifiers", "storage-layout": "storageLayout",
    "function-debug": "evm.bytecode.functionDebugData", "function-debug-runtime": "evm.deployedBytecode.functionDebugData",
    "generated-sources": "evm.bytecode.generatedSources", "generated-sources-runtime": "evm.deployedBytecode.generatedSources",
  };
  wanted.forEach((output) => { if (map[output]) selection.add(map[output]); });
  const settings = {
    remappings: options.remappings,
    outputSelection: { "*": { "*": [...selection], "": wanted.includes("ast") ? ["ast"] : [] } },
  };
  if (options.flags.has("--optimize")) {
    settings.optimizer = { enabled: true, runs: Number(options.values["--optimize-runs"] || 200) };
  }
  if (options.values["--evm-version"]) settings.evmVersion = options.values["--evm-version"];
  if (options.flags.has("--via-ir")) settings.viaIR = true;
  const output = JSON.parse(compileStandardJson(JSON.stringify({ language: "Solidity", sources, settings }), options));
  const errors = (output.errors || []).filter((error) => error.severity === "error");
  if (errors.length) {
    throw Object.assign(new Error(errors.map((error) => error.formattedMessage).join("\n")), { userError: true });
  }
  const pick = (object, dotted) => dotted.split(".").reduce((value, key) => (value == null ? value : value[key]), object);
  const contracts = {};
  for (const [file, byName] of Object.entries(output.contracts || {})) {
    for (const [name, contract] of Object.entries(byName)) {
      const entry = {};
      for (const outputName of wanted) {
        if (!map[outputName]) continue;
        const value = pick(contract, map[outputName]);
        entry[outputName] = outputName === "metadata" && typeof value !== "string" ? JSON.stringify(value) : value;
      }
      contracts[`${file}:${name}`] = entry;
    }
  }
  const result = { contracts, version: solc.version() };
  result.sourceList = Object.keys(output.sources || {});
  if (wanted.includes("ast")) {
    result.sources = Object.fromEntries(Object.entries(output.sources || {}).map(([file, source]) => [file, { AST: source.ast }]));
  }
  return JSON.stringify(result);
}

function helpText() {
  return [
    "solc, the Solidity commandline compiler (batterytrace wrapper over solc-js).",
    "",
    "Usage: solc [options] [input_file...]",
    "",
    "Allowed options:",
    "  --help               Show help message and exit.",
    "  --version            Show version and exit.",
    "  --standard-json      Switch to Standard JSON input / output mode.",
    "  --base-path path     Use the given path as the root of the source tree.",
    "  --include-path path  Make an additional source directory available to the default import callback.",
    "  --allow-paths path(s) Accepted for compatibility; the import callback reads base and include paths.",
    "  --optimize           Enable bytecode optimizer.",
    "  --optimize-runs n    The number of runs the optimizer tunes for.",
    "  --evm-version version Select desired EVM version.",
    "  --via-ir             Use the Yul intermediate representation.",
    `  --combined-json ${COMBINED_JSON_OUTPUTS.join(",")}`,
    "",
  ].join("\n");
}

function readStdin() {
  try {
    return fs.readFileSync(0, "utf8");
  } catch (error) {
    return "";
  }
}

function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  if (options.flags.has("--version")) {
    const version = solc.version().replace(".Emscripten.clang", ".Linux.g++");
    process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${version}\n`);
  } else if (options.flags.has("--help")) {
    process.stdout.write(helpText());
  } else if (options.flags.has("--standard-json")) {
    const inputFile = options.files.find((name) => name !== "-");
    const inputText = inputFile ? fs.readFileSync(inputFile, "utf8") : readStdin();
    process.stdout.write(compileStandardJson(inputText, options));
  } else if (options.values["--combined-json"]) {
    try {
      process.stdout.write(combinedJson(options, readStdin()));
    } catch (error) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = 1;
    }
  } else {
    process.stderr.write("unrecognised invocation: this wrapper supports --version, --help, --standard-json and --combined-json\n");
    process.exitCode = 1;
  }
}

main();
