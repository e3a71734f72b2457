// Loads HTML reports from disk in headless Chromium at 1280 px and 400 px wide, takes
// screenshots, and fails when an image did not load, the page is wider than the window, or
// anything inside it scrolls sideways (a table a phone reader would have to swipe).
// The weekly email (OUT/outbox/email.eml) is checked too: its HTML part, with the inline
// charts in place of their cid: links, must open with the summary table of every campaign.
//
//   node tests/js/browser-check.mjs REPORTS_DIR SCREENSHOT_DIR
//
// REPORTS_DIR holds index.html and <campaign>/<date>/report.html (e.g. the demo's output), or
// is a roll-up across organizations (rollup.json, index.html, overview/report.html and each
// organization's folder, whose pages are checked too).
import { chromium } from "playwright-core";
import { simpleParser } from "mailparser";
import { readdirSync, statSync, mkdirSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve, relative, dirname, basename } from "node:path";

const [reportsDir, shotsDir] = process.argv.slice(2);
if (!reportsDir || !shotsDir) {
  console.error("usage: node browser-check.mjs REPORTS_DIR SCREENSHOT_DIR");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(executablePath)) {
  console.error(`Chromium not found at ${executablePath}: install the Debian package chromium or set CHROMIUM`);
  process.exit(2);
}
mkdirSync(shotsDir, { recursive: true });

const failures_early = [];
// every index.html, the organization overview, the playbooks, and the latest report.html of
// each campaign
const pages = [join(reportsDir, "index.html")];
if (existsSync(join(reportsDir, "overview", "report.html"))) pages.push(join(reportsDir, "overview", "report.html"));
// the remediation playbooks: their index and every page
const playbooks = join(reportsDir, "playbooks");
if (existsSync(playbooks)) {
  for (const f of readdirSync(playbooks).filter((f) => f.endsWith(".html")).sort()) pages.push(join(playbooks, f));
}
const rollup = existsSync(join(reportsDir, "rollup.json"));
// a roll-up: each organization's folder is an output of its own
const outputs = rollup
  ? readdirSync(reportsDir).filter((d) => !["overview", "playbooks", "outbox"].includes(d) && existsSync(join(reportsDir, d, "index.html"))).map((d) => join(reportsDir, d))
  : [];
for (const org of outputs) pages.push(join(org, "index.html"), join(org, "overview", "report.html"));
for (const base of [reportsDir, ...outputs]) {
  for (const id of readdirSync(base)) {
    const dir = join(base, id);
    if (!statSync(dir).isDirectory()) continue;
    if (id === "overview") continue;
    const dates = readdirSync(dir).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
    if (dates.length) pages.push(join(dir, dates[dates.length - 1], "report.html"));
  }
}
if (rollup && outputs.length === 0) failures_early.push(`${reportsDir}: a roll-up without any organization's folder`);

// the email's HTML part as a file, its inline charts written beside it
const failures = [...failures_early];
const eml = join(reportsDir, "outbox", "email.eml");
let emailPage = null;
let emailBare = null;
let emailCampaigns = 0;
if (existsSync(eml)) {
  const mail = await simpleParser(readFileSync(eml), { keepCidLinks: true });
  const dir = join(shotsDir, "email");
  mkdirSync(dir, { recursive: true });
  let html = mail.html || "";
  const bytes = Buffer.byteLength(html);
  console.log(`email: subject "${mail.subject}" (${mail.subject.length} characters), HTML part ${bytes} bytes`);
  if (bytes > 100 * 1024) failures.push(`email: HTML part is ${bytes} bytes; Gmail clips above about 100 KB`);
  if (mail.subject.length >= 70) failures.push(`email: subject is ${mail.subject.length} characters`);
  for (const a of mail.attachments) {
    if (!a.cid) continue;
    writeFileSync(join(dir, a.filename), a.content);
    html = html.replaceAll(`cid:${a.cid}`, a.filename);
  }
  if (html.includes("cid:")) failures.push("email: a cid: link has no attachment");
  emailPage = join(dir, "email.html");
  writeFileSync(emailPage, html);
  pages.push(emailPage);
  // as a client or a forward that drops <style> shows it: the layout must hold on its own
  emailBare = join(dir, "email-without-style.html");
  writeFileSync(emailBare, html.replace(/<style[\s\S]*?<\/style>/gi, ""));
  if (readFileSync(emailBare, "utf8").includes("<style")) failures.push("email: the <style> block was not removed for the check");
  pages.push(emailBare);
  emailCampaigns = (mail.text.match(/^== .* ==$/gm) || []).length;
}

// the escalation email, when the run escalated anything
const escalationEml = join(reportsDir, "outbox", "escalation-email.eml");
if (existsSync(escalationEml)) {
  const mail = await simpleParser(readFileSync(escalationEml));
  const dir = join(shotsDir, "email");
  mkdirSync(dir, { recursive: true });
  const bytes = Buffer.byteLength(mail.html || "");
  console.log(`escalation email: subject "${mail.subject}", HTML part ${bytes} bytes`);
  if (!mail.html || !mail.text) failures.push("escalation email: needs an HTML and a text part");
  if (bytes > 100 * 1024) failures.push(`escalation email: HTML part is ${bytes} bytes`);
  const file = join(dir, "escalation.html");
  writeFileSync(file, mail.html || "");
  pages.push(file);
}

const browser = await chromium.launch({
  executablePath,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic"],
});
let checked = 0;
for (const width of [1280, 400]) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: true });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => { if (!r.url().startsWith("file://")) requests.push(r.url()); });
  for (const file of pages) {
    const name = file === emailPage ? "email" : file === emailBare ? "email-without-style" : file.endsWith("escalation.html") ? "escalation-email" : relative(reportsDir, file).replaceAll("/", "_").replace(/\.html$/, "");
    await page.goto("file://" + resolve(file), { waitUntil: "load" });
    const result = await page.evaluate(() => {
      // elements whose content is wider than their box: sideways scrolling or clipped text
      const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).display !== "inline")
        .filter((e) => !["IMG", "svg"].includes(e.tagName))
        .map((e) => `${e.tagName.toLowerCase()}${e.className ? "." + e.className : ""} ${e.scrollWidth}/${e.clientWidth}`);
      const first = document.querySelector("table");
      const firstCampaign = document.querySelector(".c");
      return {
        images: [...document.images].map((i) => ({ src: i.getAttribute("src"), ok: i.complete && i.naturalWidth > 0, width: i.getBoundingClientRect().width })),
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        scripts: document.scripts.length,
        links: [...document.querySelectorAll("a[href]")].length,
        wide,
        summaryFirst: !!first && (!firstCampaign || !!(first.compareDocumentPosition(firstCampaign) & Node.DOCUMENT_POSITION_FOLLOWING)),
        summaryRows: first ? first.querySelectorAll("tr").length : 0,
        // what the email's layout needs: the decision box stands out, the cards are cards
        decisions: [...document.querySelectorAll("p.d")].map((e) => getComputedStyle(e).backgroundColor),
        cards: [...document.querySelectorAll(".c")].map((e) => getComputedStyle(e).borderTopWidth),
        anchors: document.querySelectorAll('a[href^="#"]').length,
        // links to other pages of the output folder
        relative: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")).filter((h) => !/^[a-z][a-z0-9+.-]*:/i.test(h) && !h.startsWith("#")),
        hrefs: [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href")),
      };
    });
    await page.screenshot({ path: join(shotsDir, `${name}-${width}.png`), fullPage: true });
    for (const img of result.images) {
      if (!img.ok) failures.push(`${file} @${width}px: image ${img.src} did not load`);
    }
    if (result.scrollWidth > result.innerWidth) {
      failures.push(`${file} @${width}px: page is ${result.scrollWidth}px wide, window ${result.innerWidth}px`);
    }
    for (const w of result.wide) failures.push(`${file} @${width}px: scrolls sideways: ${w}`);
    // every link between the output's pages leads to a page (reports, index, overview, playbooks)
    for (const href of result.relative) {
      const target = resolve(dirname(file), href.split("#")[0].split("?")[0]);
      if (!existsSync(target)) failures.push(`${file}: link ${href} leads nowhere`);
    }
    if (file.endsWith("report.html") && !file.includes("/overview/") && !result.hrefs.includes("../../index.html")) failures.push(`${file}: does not link the index`);
    const top = resolve(file) === resolve(join(reportsDir, "index.html"));
    if (file.endsWith("index.html") && !file.includes("/playbooks/") && !result.hrefs.some((h) => h === "playbooks/index.html" || (rollup && top && h.endsWith("/playbooks/index.html")))) failures.push(`${file}: does not link the playbooks`);
    if (rollup && top && !result.hrefs.includes("overview/report.html")) failures.push(`${file}: does not link the overview of all organizations`);
    if (file.endsWith("index.html") && existsSync(join(dirname(file), "overview", "report.html")) && !result.hrefs.includes("overview/report.html")) failures.push(`${file}: does not link the overview`);
    // a report with an earlier one beside it links it
    if (file.endsWith("report.html") && !file.includes("/overview/")) {
      const day = basename(dirname(file));
      const earlier = readdirSync(dirname(dirname(file))).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && d < day && existsSync(join(dirname(dirname(file)), d, "report.html"))).sort();
      if (earlier.length && !result.hrefs.includes(`../${earlier[earlier.length - 1]}/report.html`)) failures.push(`${file}: does not link the previous report (${earlier[earlier.length - 1]})`);
    }
    if (file.includes("/overview/") && !result.hrefs.includes("../index.html")) failures.push(`${file}: does not link the index`);
    if (result.scripts > 0) failures.push(`${file}: has ${result.scripts} script(s); reports work without JavaScript`);
    const rolledOverview = rollup && resolve(file) === resolve(join(reportsDir, "overview", "report.html"));
    if (file.endsWith("report.html") && !rolledOverview && result.images.length < 1) failures.push(`${file}: no chart`);
    if (file.endsWith("index.html") && result.links < 1) failures.push(`${file}: links no report`);
    if (file === emailPage || file === emailBare) {
      const which = file === emailPage ? "email" : "email without <style>";
      for (const bg of result.decisions) {
        if (bg === "rgba(0, 0, 0, 0)" || bg === "transparent") failures.push(`${which} @${width}px: a "Needs a decision" box has no background`);
      }
      if (result.cards.length !== emailCampaigns) failures.push(`${which}: ${result.cards.length} campaign cards for ${emailCampaigns} campaigns`);
      for (const b of result.cards) {
        if (b === "0px") failures.push(`${which} @${width}px: a campaign card has no border`);
      }
      if (result.anchors) failures.push(`${which}: ${result.anchors} in-message #anchor link(s); mail clients break them`);
      if (!result.summaryFirst) failures.push(`email @${width}px: the summary table does not come first`);
      if (result.summaryRows !== emailCampaigns) failures.push(`email: summary has ${result.summaryRows} rows for ${emailCampaigns} campaigns`);
      for (const img of result.images) {
        if (img.width > 600) failures.push(`email @${width}px: chart ${img.src} is ${img.width}px wide, more than a mail column`);
      }
    }
    console.log(`${width}px ${name}: ${result.images.length} images, width ${result.scrollWidth}/${result.innerWidth}`);
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
