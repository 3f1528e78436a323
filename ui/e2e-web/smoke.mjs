// Web smoke test: the built UI under `vite preview`, with the in-memory backend, in Debian's
// Chromium driven by playwright-core (no browser download). Loads the first sample, adds an
// element from the palette, checks that it appears, exercises undo/redo, copy/paste, delete and
// the shortcut help, and takes a screenshot.
//
// Usage: node e2e-web/smoke.mjs [url]   (default http://127.0.0.1:4173/; start `npm run preview` first)

import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const url = process.argv[2] ?? "http://127.0.0.1:4173/";
const here = dirname(fileURLToPath(import.meta.url));
const shot = resolve(here, "../../docs/screenshots/web-editor.png");
const profile = mkdtempSync(join(tmpdir(), "stridewise-smoke-"));
const errors = [];

const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1440, height: 860 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = 0;
let step = "start";
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  page.setDefaultTimeout(15000);
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  step = "load the sample";
  await page.goto(url);
  const nodes = page.locator(".react-flow__node-element");
  await nodes.first().waitFor({ timeout: 20000 });
  const before = await nodes.count();
  step = "add a process from the palette";
  await page.getByTestId("palette-process").click();
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 1, before, { timeout: 15000 });
  const added = page.locator('.sw-node[data-name="New process"]');
  await added.waitFor({ timeout: 15000 });
  const title = await page.getByTestId("model-title").textContent();
  // The inspector shows the new element, ready to be named.
  const name = await page.getByTestId("inspector").locator("input").first().inputValue();
  if (name !== "New process") throw new Error(`inspector shows '${name}', not the new process`);
  step = "undo and redo";
  // Undo removes it again; redo brings it back.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n, before);
  await page.keyboard.press("Control+Shift+z");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 1, before);
  step = "draw a flow";
  // Draw a data flow: drag from the new process's right handle onto Orders DB.
  const flowCount = () => parseInt(document.querySelector("[data-testid=counts]").textContent.split("·")[1], 10);
  const flowsBefore = await page.evaluate(flowCount);
  const handle = added.locator(".react-flow__handle-right");
  const hb = await handle.boundingBox();
  // Any element of the sample other than the new one (the sample's names are not assumed).
  const other = page.locator('.react-flow__node-element .sw-node:not([data-name="New process"])').first();
  const otherName = await other.getAttribute("data-name");
  const db = await other.boundingBox();
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  await page.mouse.move(db.x + db.width / 2, db.y + db.height / 2, { steps: 12 });
  await page.mouse.up();
  await page.waitForFunction(`(${flowCount})() === ${flowsBefore + 1}`, null, { timeout: 15000 });
  await page.getByText(`New process to ${otherName}`).first().waitFor({ timeout: 15000 });
  step = "copy, paste, delete";
  // Copy and paste the selected element, then delete the copy.
  await added.click();
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 2, before);
  await page.locator('.sw-node[data-name="New process (copy)"]').waitFor({ timeout: 15000 });
  await page.keyboard.press("Delete");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 1, before);
  step = "shortcut help";
  // The shortcut help opens with ? and closes with Escape.
  await page.keyboard.press("?");
  await page.getByTestId("help").waitFor({ timeout: 15000 });
  await page.keyboard.press("Escape");
  await page.getByTestId("help").waitFor({ state: "detached", timeout: 5000 });
  await page.getByTestId("palette-data_store").click();
  await page.locator('.sw-node[data-name="New data store"]').waitFor({ timeout: 15000 });
  step = "diagnostics";
  // Validation diagnostics land on the element they concern: empty its name.
  const errorsBefore = parseInt(await page.getByTestId("diagnostic-count").textContent(), 10);
  await page.getByTestId("inspector").locator("input").first().fill("");
  await page.locator('.sw-node[data-name=""] [data-testid=diagnostic-badge]').waitFor({ timeout: 15000 });
  await page.waitForFunction(
    (n) => parseInt(document.querySelector("[data-testid=diagnostic-count]").textContent, 10) === n + 1,
    errorsBefore,
    { timeout: 15000 },
  );
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  if (errors.length) throw new Error(`the page logged errors:\n${errors.join("\n")}`);
  console.log(`ok: '${title}' rendered ${before} elements, +1 added, a flow drawn, undo, redo, copy, paste, delete, the help overlay and diagnostics work; screenshot ${shot}`);
} catch (e) {
  failed = 1;
  console.error(`FAILED at '${step}': ${e instanceof Error ? e.message : e}`);
  const failShot = join(tmpdir(), "stridewise-smoke-failure.png");
  await ctx.pages()[0]?.screenshot({ path: failShot }).then(() => console.error(`page at failure: ${failShot}`), () => {});
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${1 - failed} passed, ${failed} failed`);
process.exit(failed);
