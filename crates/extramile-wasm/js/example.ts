// A TypeScript user of the package, type-checked by `tsc --noEmit -p js/tsconfig.json`
// (`.ci/wasm`). The `@ts-expect-error` lines prove that the declarations are precise.
import { check, compile, format, version, type Decision, type Diagnostic, type ExtramileError } from "extramile";
import init, { compile as compileInBrowser } from "extramile/web";

const source = `policy "Demo"
currency USD
roles associate < supervisor

facts
  incident.kind: one of "broken_item", "complaint"

gestures
  comp: amount

rule broken
  when incident.kind is "broken_item"
  associate may comp up to $50
  supervisor may comp up to $200
`;

const diagnostics: Diagnostic[] = check(source);
for (const d of diagnostics) console.log(`${d.line}:${d.column} ${d.severity} ${d.code} ${d.message} ${d.help ?? ""}`);

const policy = compile(format(source));
const decision: Decision = policy.evaluate({ incident: { kind: "broken_item" } }, { role: "associate", now: "2026-11-22T10:00:00Z" });
const upTo: string | undefined = decision.offers[0]?.one_of[0]?.up_to;
const approver: string | undefined = decision.needs_approval[0]?.approver;
console.log(version(), policy.name, policy.roles.join(" < "), upTo, approver, decision.trace?.length ?? "no trace");

try {
  policy.evaluate({}, { role: "intern", now: "2026-11-22T10:00:00Z" });
} catch (e) {
  const error = e as ExtramileError;
  if (error.kind === "unknown_role") console.log(error.roles.join(", "));
  else if (error.kind === "invalid_policy") console.log(error.rendered, error.diagnostics.length);
}

// @ts-expect-error: a source is a string
compile(42);
// @ts-expect-error: `now` is required
policy.evaluate({}, { role: "associate" });
// @ts-expect-error: amounts are strings, never numbers
const amount: number | undefined = decision.offers[0]?.one_of[0]?.up_to;
void amount;

// In the browser: initialise once, then the same API.
export async function inBrowser(): Promise<Decision> {
  await init();
  return compileInBrowser(source).evaluateRequest({
    facts: { incident: { kind: "complaint" } },
    role: "supervisor",
    now: "2026-11-22T10:00:00-05:00",
    options: { trace: true },
  });
}
