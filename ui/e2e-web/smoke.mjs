// Web smoke test: the built UI under `vite preview`, with the in-memory workspace, in Debian's
// Chromium driven by playwright-core (no browser download). Checks the workspace tree, opens a
// service, adds an element from the palette and waits for the autosave, exercises undo/redo,
// drawing a flow, copy/paste, delete, the shortcut help, the menu bar and diagnostics, the revision browser (restore), merge conflicts resolved, renames the service
// through the in-app dialog, simulates saves made outside the app (reloaded when clean, banner
// and merge when dirty), checks the threats panel has the recorded threats, and takes a screenshot.
//
// Usage: node e2e-web/smoke.mjs [url]   (default http://127.0.0.1:4173/; start `npm run preview` first)

import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const url = process.argv[2] ?? "http://127.0.0.1:4173/";
const here = dirname(fileURLToPath(import.meta.url));
// Under target/ unless STRIDEWISE_SCREENSHOTS names another folder (scripts/screenshots.sh
// names docs/screenshots): a test run never rewrites the README's pictures.
const shot = join(process.env.STRIDEWISE_SCREENSHOTS ?? resolve(here, "../../target/screenshots"), "web-editor.png");
mkdirSync(dirname(shot), { recursive: true });
const profile = mkdtempSync(join(tmpdir(), "stridewise-smoke-"));
const errors = [];

/** Waits until the element `css` has not moved for 400 ms (its CSS transform and its box). */
const still = new Function(readFileSync(join(here, "still.js"), "utf8"));
const waitStill = (page, css) => page.waitForFunction(still, [css, 400], { polling: 50 });

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
  step = "load the workspace";
  await page.goto(url);
  const app = page.locator('[data-testid=application][data-name="mission-critical"]');
  await app.waitFor({ timeout: 20000 });
  const serviceNames = await app.getByTestId("service").evaluateAll((els) => els.map((e) => e.dataset.name));
  if (serviceNames.length < 3 || !serviceNames.every((n) => n.startsWith("mc-"))) throw new Error(`mission-critical lists ${JSON.stringify(serviceNames)}`);
  const nodes = page.locator(".react-flow__node-element");
  await nodes.first().waitFor({ timeout: 20000 });
  step = "open a service";
  const stamp = app.locator('[data-testid=service][data-name="mc-stamp"]');
  const stampId = await stamp.getAttribute("data-id");
  await stamp.click();
  await page.waitForFunction(() => document.querySelector("[data-testid=model-title]").textContent.includes("mc-stamp"));
  await page.waitForFunction(() => document.querySelectorAll(".react-flow__node-element").length === 14, null, { timeout: 20000 });
  const before = await nodes.count();
  const saveState = page.getByTestId("save-state");
  const waitSaved = () => page.waitForFunction(() => document.querySelector("[data-testid=save-state]")?.textContent === "Saved", null, { timeout: 15000 });
  if ((await saveState.textContent()) !== "Saved") throw new Error(`a service just opened says '${await saveState.textContent()}'`);
  step = "add a process from the palette";
  await page.getByTestId("palette-process").click();
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 1, before, { timeout: 15000 });
  const added = page.locator('.sw-node[data-name="New process"]');
  await added.waitFor({ timeout: 15000 });
  // The inspector shows the new element, ready to be named.
  const name = await page.getByTestId("inspector").locator("input").first().inputValue();
  if (name !== "New process") throw new Error(`inspector shows '${name}', not the new process`);
  step = "autosave";
  const state = await saveState.textContent();
  if (state !== "Unsaved changes" && state !== "Saving…" && state !== "Saved") throw new Error(`after an edit the save state is '${state}'`);
  await waitSaved();
  await stamp.locator(".sw-service__meta").waitFor({ state: "attached" });
  await page.waitForFunction((id) => document.querySelector(`[data-testid=service][data-id="${id}"] .sw-service__meta`)?.textContent === "#2", stampId);
  step = "undo and redo";
  // Undo removes it again; redo brings it back.
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("Control+z");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n, before);
  await page.keyboard.press("Control+Shift+z");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 1, before);
  step = "draw a flow";
  // Draw a data flow: drag from the new process's right handle onto another element.
  const flowCount = () => parseInt(document.querySelector("[data-testid=counts]").textContent.split("·")[1], 10);
  const flowsBefore = await page.evaluate(flowCount);
  const handle = added.locator(".react-flow__handle-right");
  const hb = await handle.boundingBox();
  // Any element of the sample on screen other than the new one (the sample's names are not
  // assumed; the readable fit leaves part of a large diagram to pan to).
  const onScreen = await page.evaluate(() => {
    const pane = document.querySelector(".react-flow").getBoundingClientRect();
    const inside = (r) => r.left >= pane.left && r.right <= pane.right && r.top >= pane.top && r.bottom <= pane.bottom;
    return [...document.querySelectorAll('.react-flow__node-element .sw-node:not([data-name="New process"])')].find((n) => inside(n.getBoundingClientRect()))?.dataset.name;
  });
  if (!onScreen) throw new Error("no element of the sample is on screen after the fit");
  const other = page.locator(`.react-flow__node-element .sw-node[data-name="${onScreen}"]`);
  const otherName = await other.getAttribute("data-name");
  const db = await other.boundingBox();
  await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
  await page.mouse.down();
  await page.mouse.move(db.x + db.width / 2, db.y + db.height / 2, { steps: 12 });
  await page.mouse.up();
  await page.waitForFunction(`(${flowCount})() === ${flowsBefore + 1}`, null, { timeout: 15000 });
  // The flow is named on the diagram (its label, or its tooltip when the label has no free spot).
  await page.getByText(`New process to ${otherName}`).first().waitFor({ state: "attached", timeout: 15000 });
  step = "copy, paste, delete";
  await added.click();
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 2, before);
  await page.locator('.sw-node[data-name="New process (copy)"]').waitFor({ timeout: 15000 });
  await page.keyboard.press("Delete");
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n + 1, before);
  step = "shortcut help";
  await page.keyboard.press("?");
  await page.getByTestId("help").waitFor({ timeout: 15000 });
  await page.keyboard.press("Escape");
  await page.getByTestId("help").waitFor({ state: "detached", timeout: 5000 });
  step = "the menu bar: Edit › Select all by mouse, Help › Keyboard shortcuts by Alt+H and Enter";
  await page.getByTestId("menu-edit").click();
  const editMenu = page.locator('[data-testid=context-menu][aria-label="Edit menu"]');
  await editMenu.locator('[data-command=selectAll]').click();
  await editMenu.waitFor({ state: "detached" });
  await page.waitForFunction(() => {
    const nodes = document.querySelectorAll(".react-flow__node");
    return nodes.length > 0 && document.querySelectorAll(".react-flow__node.selected").length === nodes.length;
  });
  await page.keyboard.press("Escape");
  await page.keyboard.press("Alt+h");
  await page.locator('[data-testid=context-menu][aria-label="Help menu"]').waitFor();
  await page.keyboard.press("ArrowRight");
  await page.locator('[data-testid=context-menu][aria-label="File menu"]').waitFor();
  await page.keyboard.press("ArrowLeft");
  await page.locator('[data-testid=context-menu][aria-label="Help menu"] [data-command=help]').waitFor();
  await page.waitForFunction(() => document.activeElement?.getAttribute("data-command") === "help");
  await page.keyboard.press("Enter");
  await page.getByTestId("help").waitFor();
  await page.keyboard.press("Escape");
  await page.getByTestId("help").waitFor({ state: "detached", timeout: 5000 });
  step = "diagnostics";
  // Validation diagnostics land on the element they concern: add a data store, empty its name.
  await page.getByTestId("palette-data_store").click();
  await page.locator('.sw-node[data-name="New data store"]').waitFor({ timeout: 15000 });
  const errorsBefore = parseInt(await page.getByTestId("diagnostic-count").textContent(), 10);
  await page.getByTestId("inspector").locator("input").first().fill("");
  await page.locator('.sw-node[data-name=""] [data-testid=diagnostic-badge]').waitFor({ timeout: 15000 });
  await page.waitForFunction(
    (n) => parseInt(document.querySelector("[data-testid=diagnostic-count]").textContent, 10) === n + 1,
    errorsBefore,
    { timeout: 15000 },
  );
  await page.keyboard.press("Control+z");
  await page.locator('.sw-node[data-name="New data store"]').waitFor({ timeout: 15000 });
  await waitSaved();
  step = "rename the service through the dialog";
  await stamp.hover();
  await stamp.getByTestId("rename-service").click();
  await page.getByTestId("dialog").waitFor();
  await page.getByTestId("dialog-input").fill("mc-stamp-eu");
  await page.getByTestId("dialog-ok").click();
  await page.getByTestId("dialog").waitFor({ state: "detached" });
  await app.locator('[data-testid=service][data-name="mc-stamp-eu"]').waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=model-title]").textContent.includes("mc-stamp-eu"));
  step = "a save made outside the app while the editor is clean: reloaded";
  const outside = (description) => page.evaluate(([id, d]) => window.stridewiseMemory.simulateOutsideSave(id, undefined, d).head.seq, [stampId, description]);
  const seq = await outside("ci");
  await page.waitForFunction((s) => document.querySelector("[data-testid=status]").textContent.includes(`revision #${s} by ci`) && document.querySelector("[data-testid=status]").textContent.includes("reloaded"), seq, { timeout: 15000 });
  step = "a save made outside the app while the editor has unsaved edits: banner, merge";
  await page.getByTestId("palette-external_entity").click();
  await outside("alice");
  await page.getByTestId("banner").waitFor({ timeout: 15000 });
  await page.waitForFunction(() => document.querySelector("[data-testid=banner]")?.textContent.includes("by alice"), null, { timeout: 15000 });
  const bannerText = await page.getByTestId("banner").textContent();
  if (!/changed outside the app \(revision #\d+ by alice at /.test(bannerText)) throw new Error(`the banner says '${bannerText}'`);
  if ((await saveState.textContent()) !== "Conflict") throw new Error(`during a conflict the save state is '${await saveState.textContent()}'`);
  await page.getByTestId("banner-merge").click();
  await page.getByTestId("banner").waitFor({ state: "detached", timeout: 15000 });
  await waitSaved();
  await page.locator('.sw-node[data-name="New external entity"]').waitFor();
  step = "duplicate and delete a service through the dialog";
  const global = app.locator('[data-testid=service][data-name="mc-global"]');
  await global.hover();
  await global.getByTestId("duplicate-service").click();
  await page.getByTestId("dialog-input").fill("mc-global-2");
  await page.getByTestId("dialog-ok").click();
  const copy = app.locator('[data-testid=service][data-name="mc-global-2"]');
  await copy.waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=model-title]").textContent.includes("mc-global-2"));
  if ((await copy.getAttribute("data-id")) === (await global.getAttribute("data-id"))) throw new Error("the duplicate kept the original's id");
  await copy.hover();
  await copy.getByTestId("delete-service").click();
  const question = await page.getByTestId("dialog").textContent();
  if (!question.includes("mc-global-2") || !/revisions? stays? in the workspace file/.test(question)) throw new Error(`the delete dialog says '${question}'`);
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: join(dirname(shot), "web-dialog.png") });
  await page.getByTestId("dialog-ok").click();
  await copy.waitFor({ state: "detached" });
  step = "a name already taken is refused with a message";
  await app.getByTestId("new-service").click();
  await page.getByTestId("dialog-input").fill("mc-operations");
  await page.getByTestId("dialog-ok").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=status]").textContent.includes("already has a service named 'mc-operations'"));
  // The dialog stays open with the reason, so the name can be corrected in place.
  const why = await page.getByTestId("dialog-error").textContent();
  if (!why.includes("already has a service named")) throw new Error(`the dialog says '${why}'`);
  await page.keyboard.press("Escape");
  await page.getByTestId("dialog").waitFor({ state: "detached" });
  step = "a new application with its first service, through two dialogs";
  await page.getByTestId("new-application").click();
  await page.getByTestId("dialog-input").fill("payments");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelector("[data-testid=dialog] h2")?.textContent === "First service of payments");
  await page.getByTestId("dialog-input").fill("payments-api");
  await page.getByTestId("dialog-ok").click();
  await page.locator('[data-testid=application][data-name="payments"] [data-testid=service][data-name="payments-api"]').waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=model-title]").textContent.startsWith("payments / payments-api"));
  step = "the application view says it needs the desktop app";
  await app.getByTestId("app-view-button").click();
  await page.getByTestId("app-view").waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=status]").textContent.includes("needs the desktop app"));
  await app.locator(`[data-testid=service][data-id="${stampId}"]`).click();
  await page.waitForFunction(() => document.querySelector("[data-testid=model-title]").textContent.includes("mc-stamp-eu"));
  await nodes.first().waitFor();
  step = "merge conflicts recorded in the model: a banner with the count and both sides; each resolved, as a new revision";
  await waitSaved();
  await page.evaluate(async (id) => {
    const b = window.stridewiseMemory;
    const { model } = await b.loadService(id);
    const e = model.elements[0];
    model.conflicts = [
      { path: `/elements/${e.id}/name`, kind: "edit/edit", message: `${e.name}: name changed on both sides; kept ours`, base: e.name, ours: e.name, theirs: `${e.name} (theirs)` },
      { path: "/description", kind: "edit/edit", message: "description changed on both sides; kept ours", ours: model.description ?? "", theirs: "their description" },
    ];
    b.simulateOutsideSave(id, model, "git merge");
  }, stampId);
  await page.getByTestId("conflicts").waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=conflicts-count]")?.textContent === "2 merge conflicts to resolve");
  const conflictText = await page.getByTestId("conflict").first().textContent();
  if (!conflictText.includes("Yours:") || !conflictText.includes("(theirs)")) throw new Error(`a conflict reads '${conflictText}'`);
  await page.screenshot({ path: join(dirname(shot), "web-conflicts.png") });
  await page.getByTestId("conflict-keep").first().click();
  await page.waitForFunction(() => document.querySelector("[data-testid=conflicts-count]")?.textContent === "1 merge conflict to resolve");
  await page.getByTestId("conflict-keep").click();
  await page.getByTestId("conflicts").waitFor({ state: "detached" });
  await waitSaved();
  const left = await page.evaluate(async (id) => (await window.stridewiseMemory.loadService(id)).model.conflicts?.length ?? 0, stampId);
  if (left !== 0) throw new Error(`the saved head still has ${left} conflict(s)`);
  step = "the revision browser: the first revision read-only, its changes to the head, restored as a new revision";
  await page.getByTestId("history-tab").click();
  const revisionRows = page.getByTestId("revision-row");
  await revisionRows.first().waitFor();
  const revisionsBefore = await revisionRows.count();
  if (revisionsBefore < 3) throw new Error(`the history lists ${revisionsBefore} revision(s) after several saves`);
  await page.locator('[data-testid=revision-row][data-seq="1"]').click();
  await page.getByTestId("revision-open").waitFor();
  const diffText = await page.getByTestId("revision-diff").textContent();
  if (/same model/i.test(diffText)) throw new Error("revision #1 shows no change against the head after several edits");
  await page.screenshot({ path: join(dirname(shot), "web-history.png") });
  await page.getByTestId("restore-revision").click();
  await page.waitForFunction((n) => document.querySelectorAll(".react-flow__node-element").length === n, before);
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=revision-row]").length === n + 1, revisionsBefore);
  await waitSaved();
  step = "threats";
  await page.getByTestId("threats-tab").click();
  await page.waitForFunction(() => parseInt(document.querySelector("[data-testid=threats-tab-count]")?.textContent ?? "0", 10) > 0, null, { timeout: 15000 });
  const threats = parseInt(await page.getByTestId("threats-tab-count").textContent(), 10);
  await page.locator(".react-flow__pane").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("f");
  step = "accessibility (axe-core): no serious or critical violation";
  await page.addScriptTag({ content: readFileSync(join(here, "../node_modules/axe-core/axe.min.js"), "utf8") });
  const axeCheck = async (where) => {
    const found = await page.evaluate(async () => {
      const r = await window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
      return r.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ what: `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} node(s)`, nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.any[0]?.message ?? n.failureSummary}`) }));
    });
    const limit = Number(process.env.AXE_NODES ?? 3);
    if (found.length) throw new Error(`axe-core found serious violations ${where}:\n${found.map((v) => [v.what, ...v.nodes.slice(0, limit).map((n) => `  ${n}`)].join("\n")).join("\n")}`);
  };
  await axeCheck("in the editor with the threats panel");
  // The canvas's menu: after the restore some elements are off screen, and any menu will do.
  await page.locator(".react-flow__pane").click({ button: "right", position: { x: 20, y: 20 } });
  await page.getByTestId("context-menu").waitFor();
  await axeCheck("with the context menu open");
  await page.keyboard.press("Escape");
  await page.getByTestId("context-menu").waitFor({ state: "detached" });
  await page.getByTestId("menu-file").click();
  await page.locator('[data-testid=context-menu][aria-label="File menu"]').waitFor();
  await axeCheck("with the File menu open");
  await page.keyboard.press("Escape");
  await page.getByTestId("context-menu").waitFor({ state: "detached" });
  step = "the fitted diagram stops moving";
  await waitStill(page, ".react-flow__viewport");
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  if (errors.length) throw new Error(`the page logged errors:\n${errors.join("\n")}`);
  console.log(`ok: the workspace tree lists ${serviceNames.join(", ")}; mc-stamp rendered ${before} elements, +1 added and autosaved, a flow drawn, undo, redo, copy, paste, delete, the help overlay, the menu bar, diagnostics, rename, an outside save reloaded and one merged, duplicate, delete, name_taken, a new application, the application view's refusal, two merge conflicts resolved, a revision restored, ${threats} threats listed, no serious axe-core violation; screenshot ${shot}`);
} catch (e) {
  failed = 1;
  console.error(`FAILED at '${step}': ${e instanceof Error ? e.message : e}`);
  const failShot = join(dirname(shot), "web-smoke-failure.png");
  await ctx.pages()[0]?.screenshot({ path: failShot }).then(() => console.error(`page at failure: ${failShot}`), () => {});
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${1 - failed} passed, ${failed} failed`);
process.exit(failed);
