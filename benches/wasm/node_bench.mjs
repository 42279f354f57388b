// Times the WASM build in Node on the reference corpus: `policy.evaluateJson(request)` on the
// same JSON requests the native run used, median of several passes; prints ns per evaluation
// and, given the native figure, the ratio. Usage: node node_bench.mjs REQUESTS.jsonl POLICY NATIVE_NS
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const wasm = require(path.join(here, '../../crates/extramile-wasm/pkg/node/extramile_wasm.js'));

const [requestsFile, policyFile, nativeNs] = process.argv.slice(2);
const requests = readFileSync(requestsFile, 'utf8').split('\n').filter((line) => line.length > 0);
const policy = wasm.compile(readFileSync(policyFile, 'utf8'));

let bytes = 0;
for (const request of requests) bytes += policy.evaluateJson(request).length; // warm up
const passes = [];
for (let pass = 0; pass < 7; pass++) {
  const start = process.hrtime.bigint();
  for (const request of requests) bytes += policy.evaluateJson(request).length;
  passes.push(Number(process.hrtime.bigint() - start) / requests.length);
}
passes.sort((a, b) => a - b);
const median = passes[Math.floor(passes.length / 2)];
const ratio = nativeNs ? median / Number(nativeNs) : NaN;
console.log(JSON.stringify({ requests: requests.length, wasm_ns_per_eval: Math.round(median), native_ns_per_eval: Number(nativeNs), ratio: Number(ratio.toFixed(2)), checksum: bytes }));
