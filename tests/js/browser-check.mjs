// Loads HTML reports from disk in headless Chromium at 1280 px and 400 px wide, takes
// screenshots, and fails when an image did not load or the page is wider than the window.
//
//   node tests/js/browser-check.mjs REPORTS_DIR SCREENSHOT_DIR
//
// REPORTS_DIR holds index.html and <campaign>/<date>/report.html (e.g. the demo's output).
import { chromium } from "playwright-core";
import { readdirSync, statSync, mkdirSync, existsSync } from "node:fs";
import { join, resolve, relative } from "node:path";

const [reportsDir, shotsDir] = process.argv.slice(2);
if (!reportsDir || !shotsDir) {
  console.error("usage: node check.mjs REPORTS_DIR SCREENSHOT_DIR");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: install the Debian package chromium or set CHROMIUM`);
  process.exit(2);
}
mkdirSync(shotsDir, { recursive: true });

// every index.html and the latest report.html of each campaign
const pages = [join(reportsDir, "index.html")];
for (const id of readdirSync(reportsDir)) {
  const dir = join(reportsDir, id);
  if (!statSync(dir).isDirectory()) continue;
  const dates = readdirSync(dir).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
  if (dates.length) pages.push(join(dir, dates[dates.length - 1], "report.html"));
}

const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"],
});
const failures = [];
let checked = 0;
for (const width of [1280, 400]) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: true });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => { if (!r.url().startsWith("file://")) requests.push(r.url()); });
  for (const file of pages) {
    const name = relative(reportsDir, file).replaceAll("/", "_").replace(/\.html$/, "");
    await page.goto("file://" + resolve(file), { waitUntil: "load" });
    const result = await page.evaluate(() => ({
      images: [...document.images].map((i) => ({ src: i.getAttribute("src"), ok: i.complete && i.naturalWidth > 0 })),
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      scripts: document.scripts.length,
      links: [...document.querySelectorAll("a[href]")].length,
    }));
    await page.screenshot({ path: join(shotsDir, `${name}-${width}.png`), fullPage: true });
    for (const img of result.images) {
      if (!img.ok) failures.push(`${file} @${width}px: image ${img.src} did not load`);
    }
    if (result.scrollWidth > result.innerWidth) {
      failures.push(`${file} @${width}px: page is ${result.scrollWidth}px wide, window ${result.innerWidth}px`);
    }
    if (result.scripts > 0) failures.push(`${file}: has ${result.scripts} script(s); reports work without JavaScript`);
    if (file.endsWith("report.html") && result.images.length < 1) failures.push(`${file}: no chart`);
    if (file.endsWith("index.html") && result.links < 1) failures.push(`${file}: links no report`);
    console.log(`${width}px ${relative(reportsDir, file)}: ${result.images.length} images, width ${result.scrollWidth}/${result.innerWidth}`);
    checked++;
  }
  if (requests.length) failures.push(`pages requested the network: ${requests.join(", ")}`);
  await context.close();
}
await browser.close();
if (checked < 4) failures.push(`only ${checked} pages checked`);
if (failures.length) {
  console.error("FAILED:\n  " + failures.join("\n  "));
  process.exit(1);
}
console.log(`ok: ${checked} page loads, screenshots in ${shotsDir}`);
