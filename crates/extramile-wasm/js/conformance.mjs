// Conformance of the WASM build with the native engine.
//
//   node js/conformance.mjs NATIVE.jsonl
//
// NATIVE.jsonl comes from `cargo run -p extramile-wasm --example native_decisions -- NATIVE.jsonl`:
// every scenario of examples/**/scenarios*.{toml,json} (with and without trace) and every
// request of crates/extramile/tests/corpus/eval, with the native output. Each goes through
// the Node build of the package (pkg/node) and must give the same JSON, byte for byte after
// canonical JSON (keys sorted):
//   - scenarios through policy.evaluate(incident, { role, now, trace });
//   - corpus requests through policy.evaluateJson(text) (byte-identical, no canonicalisation)
//     and policy.evaluateRequest(JSON.parse(text)).
// Request errors are thrown as Error objects; their core fields (kind, role, roles, found,
// message) must equal the native error JSON. Exits 1 on any difference.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const require = createRequire(import.meta.url);
const extramile = require(join(here, "../pkg/node/extramile_wasm.js"));

/** JSON with object keys sorted, recursively. */
export function canonical(value) {
  const sort = (v) =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]))
        : v;
  return JSON.stringify(sort(value));
}

/** The core's fields of a thrown error: what the native RequestError JSON has. */
function coreFields(error) {
  if (!(error instanceof Error) || typeof error.kind !== "string") throw error;
  // `message` is an Error's own but non-enumerable property: copy it by name.
  const { diagnostics, rendered, ...fields } = { ...error, message: error.message };
  if (error.kind !== "invalid_request") delete fields.message;
  return fields;
}

/** serde's positions refer to the JSON text the host serialised: not part of the contract. */
const withoutPosition = (json) => json.replace(/ at line \d+ column \d+/g, "");

function outcome(run) {
  try {
    return canonical(run());
  } catch (error) {
    return canonical(coreFields(error));
  }
}

const nativePath = process.argv[2];
if (!nativePath) {
  console.error("usage: node js/conformance.mjs NATIVE.jsonl");
  process.exit(2);
}
const cases = readFileSync(nativePath, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

// Every file the native run should have covered, found independently.
function files(dir, keep, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, keep, out);
    else if (keep(name)) out.push(relative(root, path));
  }
  return out;
}
const expected = [
  ...files(join(root, "examples"), (n) => /^scenarios.*\.(toml|json)$/.test(n)),
  ...files(join(root, "crates/extramile/tests/corpus/eval"), (n) => n.endsWith(".json")),
];
const covered = new Set(cases.map((c) => c.file));
const missing = expected.filter((f) => !covered.has(f));

const policies = new Map();
const policy = (path) => {
  if (!policies.has(path)) policies.set(path, extramile.compile(readFileSync(join(root, path), "utf8")));
  return policies.get(path);
};

const failures = [];
const counts = { scenario: 0, request: 0, byteIdentical: 0, errors: 0, failed: 0 };
for (const c of cases) {
  const compiled = policy(c.policy);
  const nativeValue = JSON.parse(c.output);
  const native = canonical(nativeValue);
  const isError = typeof nativeValue.kind === "string";
  if (isError) counts.errors++;
  let failed = false;
  const differ = (how, got, want) => {
    if (got === want) return;
    failed = true;
    failures.push(`${c.file} / ${c.name} (${how}):\n  native: ${want}\n  wasm:   ${got}`);
  };
  if (c.kind === "scenario") {
    counts.scenario++;
    const { facts, role, now, options } = c.request;
    differ("evaluate", outcome(() => compiled.evaluate(facts, { role, now, trace: options.trace })), native);
  } else {
    counts.request++;
    // The text API: a decision is the very same text, an error has the same core fields.
    let text;
    try {
      text = compiled.evaluateJson(c.request_text);
    } catch (error) {
      text = canonical(coreFields(error));
    }
    if (isError) differ("evaluateJson", text, native);
    else {
      differ("evaluateJson", text, c.output);
      if (text === c.output) counts.byteIdentical++;
    }
    // The object API, on the request as a JavaScript value.
    let request;
    try {
      request = JSON.parse(c.request_text);
    } catch {
      request = undefined; // not JSON at all: only the text API applies
    }
    if (request !== undefined) {
      const got = outcome(() => compiled.evaluateRequest(request));
      differ("evaluateRequest", withoutPosition(got), withoutPosition(native));
    }
  }
  if (failed) counts.failed++;
}

console.log(
  `conformance: ${counts.scenario} scenario evaluations and ${counts.request} corpus requests ` +
    `(${counts.errors} of them request errors) through WASM ${extramile.version()}; ` +
    `${counts.byteIdentical} decisions byte-identical through evaluateJson; ` +
    `${expected.length - missing.length}/${expected.length} files covered`,
);
for (const f of missing) console.log(`not covered by the native run: ${f}`);
for (const f of failures) console.log(`DIFFERENT ${f}`);
const ok = failures.length === 0 && missing.length === 0 && cases.length > 0;
console.log(`${cases.length - counts.failed} passed, ${counts.failed} failed`);
process.exit(ok ? 0 : 1);
