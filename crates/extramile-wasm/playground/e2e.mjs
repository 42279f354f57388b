// End-to-end test of the built playground (playground/dist) in headless Chromium:
// presets, the decision panel, a syntax error as the author types (line, click to jump),
// the fix, and a role change that changes the approvals. Saves screenshots to
// playground/artifacts/ (playground.png, playground-diagnostic.png). Playwright gives Chromium a fresh temporary profile
// (it refuses --user-data-dir); the other flags are those of shared/toolchain.md.
//
//   node playground/e2e.mjs        (CHROMIUM=/path/to/chromium to use another browser)
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "./serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, "artifacts");
mkdirSync(artifacts, { recursive: true });

const { server, url } = await serve(join(here, "dist"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
const pageErrors = [];
page.on("pageerror", (error) => pageErrors.push(error.message));

let passed = 0;
let failed = 0;
async function step(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error.message.split("\n")[0]}`);
    await page.screenshot({ path: join(artifacts, `failure-${passed + failed}.png`) }).catch(() => {});
  }
}
function expect(condition, message) {
  if (!condition) throw new Error(message);
}
const text = (selector) => page.locator(selector).innerText();
const timeout = 10_000;

try {
  await step("the page loads the WebAssembly engine", async () => {
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", null, { timeout: 30_000 });
    expect((await text("footer")).includes("extramile 0."), "the footer shows the engine version");
  });

  await step("picking a preset shows its decision", async () => {
    await page.selectOption("#preset", "hotel");
    await page.waitForFunction(() => document.querySelector("#decision")?.textContent.includes("front_desk"), null, { timeout });
    expect((await page.inputValue("#role")) === "front_desk", "the preset's role is selected");
    await page.selectOption("#preset", "store");
    await page.waitForFunction(() => document.querySelector("#decision")?.textContent.includes("Home decor store"), null, { timeout });
    const offers = await text("#decision-offers");
    expect(offers.includes("gift_card up to 25.00 USD"), `store offers: ${offers}`);
    expect(offers.includes("comp up to 50.00 USD or replace"), `store offers: ${offers}`);
    const approvals = await text("#decision-approvals");
    expect(approvals.includes("comp up to 120.00 USD by supervisor"), `store approvals: ${approvals}`);
    expect((await text("#decision-trace")).includes("gold_customer_trouble matched"), "the trace is shown");
    expect((await text("#diagnostic-count")) === "(none)", "the example has no diagnostics");
  });

  await step("a syntax error shows as the author types, with its line", async () => {
    await page.evaluate(() => window.playground.goToLine(24));
    await page.keyboard.type(" oops");
    const item = page.locator("#diagnostics li").first();
    await item.waitFor({ timeout });
    const shown = await item.innerText();
    expect(shown.includes("line 24"), `the diagnostic names line 24: ${shown}`);
    expect(shown.includes("error[E0"), `it is an error with a code: ${shown}`);
    expect((await item.getAttribute("data-line")) === "24", "data-line is 24");
    await page.waitForSelector(".cm-lintRange-error", { timeout });
    await page.waitForFunction(() => document.querySelector("#decision")?.classList.contains("stale"), null, { timeout });
    await page.screenshot({ path: join(artifacts, "playground-diagnostic.png") });
  });

  await step("clicking the diagnostic moves the cursor there", async () => {
    await page.evaluate(() => window.playground.goToLine(2));
    await page.locator("#diagnostics li").first().click();
    const cursor = await page.evaluate(() => window.playground.cursor());
    const column = Number(await page.locator("#diagnostics li").first().getAttribute("data-column"));
    expect(cursor.line === 24 && cursor.column === column, `cursor at ${JSON.stringify(cursor)}, expected 24:${column}`);
  });

  await step("fixing the error brings the decision back", async () => {
    await page.evaluate(() => window.playground.goToLine(24));
    for (let i = 0; i < " oops".length; i++) await page.keyboard.press("Backspace");
    await page.waitForFunction(() => document.getElementById("diagnostic-count")?.textContent === "(none)", null, { timeout });
    await page.waitForFunction(() => !document.querySelector("#decision")?.classList.contains("stale"), null, { timeout });
    expect((await text("#decision-approvals")).includes("by supervisor"), "the associate's approvals are back");
  });

  await step("changing the role changes the approvals", async () => {
    await page.selectOption("#role", "supervisor");
    await page.waitForFunction(() => document.querySelector("#decision p")?.textContent.includes("supervisor"), null, { timeout });
    const approvals = await text("#decision-approvals");
    expect(approvals.includes("Needs approval (0)"), `a supervisor needs no approval here: ${approvals}`);
    expect((await text("#decision-offers")).includes("comp up to 120.00 USD"), "the supervisor may comp the price");
  });

  await step("an unknown role or a bad time is reported, not thrown", async () => {
    await page.fill("#now", "tomorrow");
    await page.waitForFunction(() => document.getElementById("decision-problem")?.textContent.includes("invalid_request"), null, { timeout });
    await page.fill("#now", "2026-11-22T10:00:00-05:00");
    await page.waitForFunction(() => !document.querySelector("#decision")?.classList.contains("stale"), null, { timeout });
  });

  await step("no uncaught errors in the page", async () => {
    expect(pageErrors.length === 0, pageErrors.join("; "));
  });

  await page.screenshot({ path: join(artifacts, "playground.png") });
  console.log(`screenshot: ${join(artifacts, "playground.png")}`);
} finally {
  await browser.close();
  server.close();
}

console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
