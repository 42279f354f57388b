// The hostile corpora of issue 6 through the WASM build (Node): every malformed policy of
// crates/extramile/tests/corpus/hostile/ and every malformed incident of
// crates/extramile/tests/corpus/incidents/ must give a structured result, never a trap.
//
//   node js/hostile.mjs
//
// - A policy: `check(source)` returns diagnostics, each error with a line and column; a
//   policy that checks clean (the runaway scripts) compiles and evaluates to a decision whose
//   errors carry positions. Invalid UTF-8 cannot reach WASM as a JS string: the file is
//   decoded with replacement characters, as a browser would.
// - An incident: `policy.evaluateJson(text)` either returns a decision or throws an Error
//   with a `kind`; a trap (RuntimeError) or any other exception fails the run.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, "../../extramile/tests/corpus");
const require = createRequire(import.meta.url);
const extramile = require(join(here, "../pkg/node/extramile_wasm.js"));

const failures = [];
const structured = (error) => error instanceof Error && typeof error.kind === "string" && !(error instanceof WebAssembly.RuntimeError);

let policies = 0;
for (const name of readdirSync(join(corpus, "hostile")).filter((n) => n.endsWith(".policy")).sort()) {
  policies += 1;
  const source = new TextDecoder("utf-8").decode(readFileSync(join(corpus, "hostile", name)));
  try {
    const diagnostics = extramile.check(source);
    const errors = diagnostics.filter((d) => d.severity === "error");
    if (errors.some((d) => !(d.line >= 1 && d.column >= 1))) failures.push(`${name}: an error without a position`);
    if (errors.length === 0) {
      const policy = extramile.compile(source);
      const decision = policy.evaluate({}, { role: policy.roles[0], now: "2026-11-22T10:00:00Z" });
      if (decision.errors.some((e) => !(e.line >= 1))) failures.push(`${name}: an evaluation error without a line`);
    }
  } catch (error) {
    if (!structured(error)) failures.push(`${name}: ${error}`);
  }
}

let incidents = 0;
const policy = extramile.compile(readFileSync(join(corpus, "incidents/policy.policy"), "utf8"));
for (const name of readdirSync(join(corpus, "incidents")).filter((n) => n.endsWith(".json")).sort()) {
  incidents += 1;
  const facts = readFileSync(join(corpus, "incidents", name), "utf8");
  const request = `{"facts": ${facts.trim() || "null"}, "role": "${policy.roles[0]}", "now": "2026-11-22T10:00:00Z"}`;
  try {
    JSON.parse(policy.evaluateJson(request));
  } catch (error) {
    if (!structured(error)) failures.push(`incidents/${name}: ${error}`);
  }
}

if (failures.length > 0) {
  console.error(failures.join("\n"));
  console.error(`${failures.length} hostile inputs were not handled`);
  process.exit(1);
}
console.log(`hostile corpora through WASM: ${policies} policies and ${incidents} incidents, no trap, every error structured`);
