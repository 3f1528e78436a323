// Opens a (large) report in headless Debian Chromium, offline, and prints how long the browser
// took to load and lay it out, and how many requests it attempted. Used by
// scripts/report-test-bench.sh. Usage: node scripts/report-test-open.mjs REPORT.html
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "report-test", "package.json"));
const { chromium } = require("playwright-core");

const url = pathToFileURL(path.resolve(process.argv[2])).href;
const profile = await mkdtemp(path.join(tmpdir(), "stridewise-open-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  offline: true,
  viewport: { width: 1280, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const attempted = [];
  context.on("request", (r) => attempted.push(r.url()));
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url, { waitUntil: "load", timeout: 120000 });
  // Force a full layout of the whole document, then a scroll to the end.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const ms = Date.now() - t0;
  const rows = await page.evaluate(() => document.querySelectorAll("tr").length);
  console.log(
    `browser: loaded and laid out in ${ms} ms; ${rows} table rows, ${height} px tall; ` +
      `${attempted.length - 1} request(s) besides the file`,
  );
} finally {
  await context.close();
  await rm(profile, { recursive: true, force: true });
}
