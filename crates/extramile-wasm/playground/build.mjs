// Builds the playground into playground/dist/: index.html, playground.css, playground.js
// (CodeMirror 6 and the package's web build, bundled by esbuild) and the .wasm module.
// No CDN, no network: dist/ works from any static server. Run build.sh first (pkg/web).
//
//   node playground/build.mjs
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../..");
const pkg = join(here, "../pkg/web");
const dist = join(here, "dist");

if (!existsSync(join(pkg, "extramile_wasm.js"))) {
  console.error("pkg/web is missing: run crates/extramile-wasm/build.sh first");
  process.exit(2);
}

/** One preset per example: its policy and the incident, role and time of its first scenario. */
function preset(name) {
  const dir = join(root, "examples", name);
  const scenarios = readFileSync(join(dir, "scenarios.toml"), "utf8");
  const block = scenarios.split("[[scenario]]")[1] ?? "";
  const field = (key) => block.match(new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m"))?.[1];
  const incident = field("incident");
  if (!incident) throw new Error(`examples/${name}/scenarios.toml: the first scenario has no incident file`);
  return {
    name,
    policy: readFileSync(join(dir, `${name}.policy`), "utf8"),
    incident: readFileSync(join(dir, incident), "utf8"),
    incident_file: incident,
    role: field("role"),
    now: field("now"),
  };
}
const presets = ["store", "hotel", "ecommerce", "saas"].map(preset);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(here, "src/main.js")],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: false,
  outfile: join(dist, "playground.js"),
  alias: { extramile: join(pkg, "extramile_wasm.js") },
  define: { PRESETS: JSON.stringify(presets) },
  logLevel: "warning",
});
copyFileSync(join(pkg, "extramile_wasm_bg.wasm"), join(dist, "extramile_wasm_bg.wasm"));
copyFileSync(join(here, "src/index.html"), join(dist, "index.html"));
copyFileSync(join(here, "src/playground.css"), join(dist, "playground.css"));
console.log(`playground: ${presets.length} presets -> ${dist}`);
