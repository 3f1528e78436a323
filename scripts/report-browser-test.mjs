// Opens a Stridewise HTML report in headless Chromium with the network blocked, checks that
// no request besides the file itself is attempted and that the page rendered, then takes a
// screenshot. Usage: node scripts/report-browser-test.mjs REPORT.html SCREENSHOT.png
//
// Uses Debian's /usr/bin/chromium through playwright-core (no browser download); its npm
// dependency lives in scripts/report-test/. Prints "ok: ..." and exits 0, or exits 1.
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "report-test", "package.json"));
const { chromium } = require("playwright-core");

const [reportArg, shotArg] = process.argv.slice(2);
if (!reportArg || !shotArg) {
  console.error("usage: node scripts/report-browser-test.mjs REPORT.html SCREENSHOT.png");
  process.exit(2);
}
const reportUrl = pathToFileURL(path.resolve(reportArg)).href;
const failures = [];
const fail = (msg) => failures.push(msg);

const profile = await mkdtemp(path.join(tmpdir(), "stridewise-report-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  offline: true,
  viewport: { width: 1280, height: 1900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
try {
  // Every request the page attempts is counted; anything but the report itself is refused.
  const attempted = [];
  context.on("request", (r) => attempted.push(r.url()));
  await context.route("**/*", (route) => {
    const url = route.request().url();
    return url === reportUrl ? route.continue() : route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  const response = await page.goto(reportUrl, { waitUntil: "load" });
  if (!response) fail("no response for the report");

  const others = attempted.filter((u) => u !== reportUrl);
  if (others.length) fail(`requests besides the file: ${others.join(", ")}`);
  if (consoleErrors.length) fail(`console errors: ${consoleErrors.join(" | ")}`);

  const facts = await page.evaluate(() => {
    const box = (el) => (el ? el.getBoundingClientRect() : null);
    const dfd = document.querySelector("svg.dfd");
    const links = [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href"));
    return {
      scripts: document.querySelectorAll("script").length,
      title: document.querySelector("h1")?.textContent ?? "",
      diagram: dfd ? { w: box(dfd).width, h: box(dfd).height } : null,
      elements: document.querySelectorAll("svg.dfd .element").length,
      threats: document.querySelectorAll("table.threats tbody tr").length,
      brokenLinks: links.filter((h) => !h.startsWith("#") || !document.getElementById(h.slice(1))),
      overflowX: document.documentElement.scrollWidth > window.innerWidth + 1,
      overlaps: drawnOverlaps(),
    };
    // As the browser draws them (real fonts, in SVG units): every line of a name inside its
    // element's box, every label line inside its label's box, no label box over an element's.
    function drawnOverlaps() {
      const out = [];
      const rectOf = (el) => { const b = el.getBBox(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
      const inside = (a, b) => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.w <= b.x + b.w + 0.5 && a.y + a.h <= b.y + b.h + 0.5;
      const cross = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      for (const svg of document.querySelectorAll("svg.dfd")) {
        const shapes = [];
        for (const g of svg.querySelectorAll("g.element")) {
          const shape = rectOf(g.querySelector("rect"));
          shapes.push(shape);
          for (const t of g.querySelectorAll("text"))
            if (!inside(rectOf(t), shape)) out.push(`'${t.textContent}' sticks out of its box`);
        }
        for (const g of svg.querySelectorAll("g.flow-label")) {
          const box = rectOf(g.querySelector("rect"));
          for (const t of g.querySelectorAll("text"))
            if (!inside(rectOf(t), box)) out.push(`label '${t.textContent}' sticks out of its box`);
          if (shapes.some((s) => cross(box, s))) out.push(`label '${g.textContent}' covers an element`);
        }
      }
      return out;
    }
  });
  if (facts.scripts) fail(`${facts.scripts} <script> element(s)`);
  if (!facts.title.trim()) fail("no title");
  if (!facts.diagram || facts.diagram.w < 200 || facts.diagram.h < 80)
    fail(`diagram not drawn: ${JSON.stringify(facts.diagram)}`);
  if (!facts.elements) fail("no element in the diagram");
  if (!facts.threats) fail("no threat rows");
  if (facts.brokenLinks.length) fail(`links that go nowhere: ${facts.brokenLinks.slice(0, 5)}`);
  if (facts.overflowX) fail("the page scrolls sideways");
  if (facts.overlaps.length) fail(`diagram text: ${facts.overlaps.slice(0, 5).join("; ")}`);

  // Printing works too: A4 pages, and the PDF is made offline.
  const pdf = await page.pdf({ format: "A4", printBackground: true });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  if (pages < 3) fail(`print gave ${pages} page(s)`);

  await page.screenshot({ path: shotArg, fullPage: false });
  if (failures.length) {
    for (const f of failures) console.error(`FAIL: ${f}`);
    process.exitCode = 1;
  } else {
    console.log(
      `ok: ${attempted.length} request(s) (the file only), ${facts.elements} diagram elements, ` +
        `${facts.threats} threat rows, ${pages} A4 pages when printed; screenshot ${shotArg}`,
    );
  }
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
