// The extramile playground: a policy editor with live diagnostics, an incident editor and
// the decision, all computed in the page by the WebAssembly build of the engine.
/* global PRESETS */
import { EditorView, basicSetup } from "codemirror";
import { EditorSelection } from "@codemirror/state";
import { json } from "@codemirror/lang-json";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import init, { check, compile, format, version } from "extramile";

const $ = (id) => document.getElementById(id);
const presets = PRESETS;
const state = { source: null, policy: null, timer: 0 };

/** A UTF-8 byte offset of `text` as a JavaScript (UTF-16) index. */
function byteToIndex(text, byte) {
  let bytes = 0;
  let index = 0;
  for (const ch of text) {
    if (bytes >= byte) break;
    const cp = ch.codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    index += ch.length;
  }
  return index;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

const onChange = EditorView.updateListener.of((update) => {
  if (update.docChanged) schedule();
});
const policyView = new EditorView({
  parent: $("policy-editor"),
  extensions: [basicSetup, lintGutter(), onChange, EditorView.contentAttributes.of({ "aria-label": "policy source" })],
});
const incidentView = new EditorView({
  parent: $("incident-editor"),
  extensions: [basicSetup, json(), onChange, EditorView.contentAttributes.of({ "aria-label": "incident JSON" })],
});

function setText(view, text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** Moves the policy editor's cursor to a position and focuses it. */
function goTo(index) {
  policyView.dispatch({ selection: EditorSelection.cursor(index), scrollIntoView: true });
  policyView.focus();
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(update, 120);
}

function renderDiagnostics(source, diagnostics) {
  const list = $("diagnostics");
  list.replaceChildren();
  const marks = [];
  for (const d of diagnostics) {
    const from = Math.min(byteToIndex(source, d.span.start), source.length);
    const to = Math.max(from, Math.min(byteToIndex(source, d.span.end), source.length));
    marks.push({ from, to, severity: d.severity, message: `${d.code}: ${d.message}${d.help ? `\nhelp: ${d.help}` : ""}` });
    list.append(
      el(
        "li",
        { class: d.severity, "data-line": d.line, "data-column": d.column, title: "click to go there", onclick: () => goTo(from) },
        el("span", { class: "where" }, `line ${d.line}, column ${d.column}`),
        el("strong", {}, `${d.severity}[${d.code}] `),
        d.message,
        d.help ? el("span", { class: "help" }, `help: ${d.help}`) : null,
      ),
    );
  }
  policyView.dispatch(setDiagnostics(policyView.state, marks));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const count = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  $("diagnostic-count").textContent = diagnostics.length ? `(${count(errors, "error")}, ${count(warnings, "warning")})` : "(none)";
  return errors;
}

function setRoles(roles) {
  const select = $("role");
  const current = select.value;
  if ([...select.options].map((o) => o.value).join() !== roles.join()) {
    select.replaceChildren(...roles.map((r) => el("option", { value: r }, r)));
  }
  select.value = roles.includes(current) ? current : roles[0] ?? "";
}

const item = (x) => (x.item ? ` (${x.item})` : "");
const amount = (label, value) => (value ? [` ${label} `, el("span", { class: "amount" }, value)] : []);
const rule = (r) => el("span", { class: "rule" }, ` — ${r}`);

function section(title, id, entries, render) {
  return el(
    "section",
    { id: `decision-${id}` },
    el("h3", {}, `${title} (${entries.length})`),
    entries.length ? el("ul", {}, entries.map((e) => el("li", {}, render(e)))) : el("p", { class: "none" }, "none"),
  );
}

function renderDecision(decision, currency) {
  const c = ` ${currency}`;
  $("decision").classList.remove("stale");
  $("decision").replaceChildren(
    el("p", {}, el("strong", {}, decision.policy), ` · ${decision.role} · ${decision.now}`),
    section("Offers", "offers", decision.offers, (o) => [
      o.one_of.length > 1 ? "one of: " : "",
      ...o.one_of.flatMap((g, i) => [i ? " or " : "", el("strong", {}, g.gesture), item(g), ...amount("up to", g.up_to && g.up_to + c)]),
      rule(`${o.rule}, priority ${o.priority}`),
    ]),
    section("Needs approval", "approvals", decision.needs_approval, (a) => [
      el("strong", {}, a.gesture), item(a), ...amount("up to", a.up_to && a.up_to + c), ` by `, el("strong", {}, a.approver), rule(a.rule),
    ]),
    section("Owed", "owed", decision.owed, (o) => [el("strong", {}, o.gesture), item(o), ...amount("", o.amount && o.amount + c), rule(o.rule)]),
    section("Recommended", "recommended", decision.recommended, (r) => [
      el("strong", {}, r.gesture), item(r), ...amount("", r.amount && r.amount + c), r.due ? ` due ${r.due}` : "", rule(r.rule),
    ]),
    section("Forbidden", "forbidden", decision.forbidden, (f) => [el("strong", {}, f.gesture), `: ${f.reason}`, rule(f.rule)]),
    section("Escalations", "escalations", decision.escalations, (e) => [`to `, el("strong", {}, e.to), e.reason ? `: ${e.reason}` : "", rule(e.rule)]),
    section("Evaluation errors", "errors", decision.errors, (p) => el("span", { class: "error" }, `line ${p.line}: ${p.message}`, rule(p.rule))),
    section("Warnings", "warnings", decision.warnings, (p) => [`line ${p.line}: ${p.message}`, rule(p.rule)]),
    section("Trace", "trace", decision.trace ?? [], (t) => [
      el("a", { href: "#", onclick: (ev) => (ev.preventDefault(), goTo(byteToIndex(state.source, t.span.start))) }, t.rule),
      " ",
      el("span", { class: t.outcome }, t.outcome.replace("_", " ")),
      t.clause ? ` at ${t.clause}` : "",
      t.error ? el("span", { class: "error" }, ` (${t.error})`) : "",
      t.reads.length ? el("span", { class: "rule" }, ` reads ${t.reads.map((r) => `${r.fact} = ${JSON.stringify(r.value)}`).join(", ")}`) : "",
    ]),
    el("details", {}, el("summary", {}, "decision JSON"), el("pre", {}, JSON.stringify(decision, null, 2))),
  );
}

function showProblem(message) {
  $("decision").classList.add("stale");
  const box = $("decision-problem") ?? el("p", { id: "decision-problem", class: "error" });
  box.textContent = message;
  $("decision").prepend(box);
}

function update() {
  const source = policyView.state.doc.toString();
  if (source !== state.source) {
    state.source = source;
    state.policy?.free();
    state.policy = null;
    const errors = renderDiagnostics(source, check(source));
    if (errors === 0) {
      try {
        state.policy = compile(source);
        setRoles(state.policy.roles);
      } catch (error) {
        showProblem(error.message);
      }
    }
  }
  if (!state.policy) {
    showProblem("The policy has errors: fix them to see a decision.");
    return;
  }
  let incident;
  try {
    incident = JSON.parse(incidentView.state.doc.toString());
    $("incident-error").hidden = true;
  } catch (error) {
    $("incident-error").textContent = `The incident is not valid JSON: ${error.message}`;
    $("incident-error").hidden = false;
    showProblem("The incident is not valid JSON.");
    return;
  }
  try {
    const decision = state.policy.evaluate(incident, { role: $("role").value, now: $("now").value.trim(), trace: true });
    renderDecision(decision, state.policy.currency);
  } catch (error) {
    showProblem(`${error.kind ?? "error"}: ${error.message}`);
  }
}

function loadPreset(name) {
  const preset = presets.find((p) => p.name === name);
  if (!preset) return;
  $("now").value = preset.now;
  setText(incidentView, preset.incident);
  setText(policyView, preset.policy);
  state.source = null;
  update();
  setRoles(state.policy?.roles ?? []);
  $("role").value = preset.role;
  update();
}

async function main() {
  await init({ module_or_path: new URL("extramile_wasm_bg.wasm", document.baseURI) });
  $("version").textContent = `extramile ${version()}`;
  for (const p of presets) $("preset").append(el("option", { value: p.name }, `${p.name} (${p.incident_file})`));
  $("preset").addEventListener("change", (e) => loadPreset(e.target.value));
  $("role").addEventListener("change", update);
  $("now").addEventListener("input", schedule);
  $("format").addEventListener("click", () => {
    try {
      setText(policyView, format(policyView.state.doc.toString()));
    } catch (error) {
      showProblem(`format: ${error.message}`);
    }
  });
  const first = presets[0]?.name ?? "";
  $("preset").value = first;
  loadPreset(first);
  $("status").textContent = "ready";
  // For the end-to-end test and the curious.
  window.playground = {
    policyView,
    incidentView,
    goToLine: (line) => goTo(policyView.state.doc.line(line).to),
    cursor: () => {
      const head = policyView.state.selection.main.head;
      const line = policyView.state.doc.lineAt(head);
      return { line: line.number, column: head - line.from + 1 };
    },
  };
}

main().catch((error) => {
  $("status").textContent = `failed to start: ${error.message}`;
  $("status").classList.add("bad");
});
