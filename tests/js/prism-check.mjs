// Conformance with GitHub's own API description (tests/fixtures/github-api/openapi-subset.json,
// vendored from @octokit/openapi with its licence; see the README there):
//  1. Prism in proxy mode in front of the fake GitHub: every request campaign-pulse makes must
//     be valid (Prism answers 422 otherwise), and nothing may be flagged in Prism's log.
//  2. Prism as a dynamic mock (random responses from the schemas): campaign-pulse may fail with
//     a clear error but must never panic or print a secret.
//
//   node tests/js/prism-check.mjs path/to/campaign-pulse path/to/fake_github
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, cpSync, rmSync, readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.argv[2] ?? "target/debug/campaign-pulse");
const fake = resolve(process.argv[3] ?? "target/debug/examples/fake_github");
const spec = resolve(here, "..", "fixtures", "github-api", "openapi-subset.json");
const prism = join(here, "node_modules", ".bin", "prism");
const token = "ghp_test-token-0123456789";
const base = 23000 + Math.floor(Math.random() * 2000);
const failures = [];
const children = [];
const work = mkdtempSync(join(tmpdir(), "pulse-prism-"));

function start(cmd, args, logFile) {
  const log = [];
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => log.push(d.toString()));
  child.stderr.on("data", (d) => log.push(d.toString()));
  children.push(child);
  return () => log.join("");
}

async function waitFor(url) {
  for (let i = 0; i < 150; i++) {
    try { await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json" } }); return; }
    catch { await new Promise((r) => setTimeout(r, 200)); }
  }
  throw new Error(`${url} did not come up`);
}

function run(configText, args) {
  writeFileSync(join(work, "config.yaml"), configText);
  return spawnSync(binary, args, { cwd: work, encoding: "utf8", env: { ...process.env, GITHUB_TOKEN: token, GITHUB_STEP_SUMMARY: "", GITHUB_API_URL: "" } });
}

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const config = (api, extra = "") => `github:\n  org: acme\n  api_url: ${api}\n${extra}history: { path: out/history.jsonl }\noutput: { dir: out }\ncampaigns:\n  - { id: azure, filter: "provider:azure", starts_on: 2026-09-01, due_on: 2026-12-31, github_campaign: 3 }\n  - { id: all }\n`;

try {
  // 1. proxy
  const fakePort = base, proxyPort = base + 1, mockPort = base + 2;
  start(fake, ["--port", String(fakePort), "--alerts", join(here, "..", "fixtures", "alerts.json")]);
  await waitFor(`http://127.0.0.1:${fakePort}/rate_limit`);
  const proxyLog = start(prism, ["proxy", spec, `http://127.0.0.1:${fakePort}`, "-p", String(proxyPort), "--errors"]);
  await waitFor(`http://127.0.0.1:${proxyPort}/rate_limit`);
  for (const args of [["run", "--config", "config.yaml", "--as-of", "2026-11-23"], ["check", "--config", "config.yaml"]]) {
    const r = run(config(`http://127.0.0.1:${proxyPort}`), args);
    if (r.status !== 0) failures.push(`through Prism, ${args[0]} exited ${r.status}: ${r.stderr}`);
  }
  // requests by starts_on-less campaigns and by paging with a cursor, too
  const r = run(config(`http://127.0.0.1:${proxyPort}`, "  generic_secret_types: [password]\n").replace("starts_on: 2026-09-01, ", ""), ["run", "--config", "config.yaml"]);
  if (r.status !== 0) failures.push(`through Prism (no starts_on) exited ${r.status}: ${r.stderr}`);
  await new Promise((r) => setTimeout(r, 1000)); // let Prism's log arrive
  const log = proxyLog();
  // Prism's start-up lines ([CLI]) list every route with random example values ("…/error/…")
  const flagged = log.split("\n").filter((l) => /✖|error|violation|UNPROCESSABLE/i.test(l) && !/campaigns\/3/.test(l) && !/\[CLI\].*\binfo\s+(GET|POST|PUT|PATCH|DELETE)\s+http/.test(l));
  if (flagged.length) failures.push("Prism flagged:\n    " + flagged.join("\n    "));
  const forwarded = (log.match(/Forwarding "get" request/g) ?? []).length;
  if (forwarded < 8) failures.push(`only ${forwarded} requests went through Prism`);
  console.log(`proxy: ${forwarded} requests forwarded, none flagged`);

  // 2. dynamic mock
  // GitHub's description names its answers application/json while clients ask for
  // application/vnd.github+json (as GitHub documents): the mock gets a copy of the description
  // that offers each JSON answer under both names, or it would answer every request 406
  const described = JSON.parse(readFileSync(spec, "utf8"));
  for (const item of Object.values(described.paths ?? {})) {
    for (const op of Object.values(item)) {
      for (const response of Object.values(op?.responses ?? {})) {
        const json = response?.content?.["application/json"];
        if (json) response.content["application/vnd.github+json"] = json;
      }
    }
  }
  // and integers that are counts, numbers and times in GitHub's answers are never negative
  const nonNegative = (node) => {
    if (Array.isArray(node)) return node.forEach(nonNegative);
    if (!node || typeof node !== "object") return;
    if (node.type === "integer" && node.minimum === undefined) node.minimum = 0;
    Object.values(node).forEach(nonNegative);
  };
  nonNegative(described);
  const mockSpec = join(work, "openapi-mock.json");
  writeFileSync(mockSpec, JSON.stringify(described));
  start(prism, ["mock", mockSpec, "-d", "-p", String(mockPort)]);
  await waitFor(`http://127.0.0.1:${mockPort}/rate_limit`);
  for (let i = 0; i < 6; i++) {
    rmSync(join(work, "out"), { recursive: true, force: true });
    const r = run(config(`http://127.0.0.1:${mockPort}`), ["run", "--config", "config.yaml", "--as-of", "2026-11-23"]);
    const out = r.stdout + r.stderr;
    if (![0, 1, 3].includes(r.status)) failures.push(`mock run ${i} exited ${r.status}: ${out}`);
    if (/panicked|RUST_BACKTRACE/.test(out)) failures.push(`mock run ${i} panicked: ${out}`);
    let leaked = [];
    try { leaked = files(join(work, "out")).filter((f) => readFileSync(f, "utf8").includes('"secret"')); } catch {}
    if (leaked.length) failures.push(`mock run ${i}: a secret field reached ${leaked}`);
    console.log(`mock run ${i}: exit ${r.status}${r.status ? ": " + r.stderr.trim().split("\n").pop() : ""}`);
  }
} catch (e) {
  failures.push(String(e));
} finally {
  for (const c of children) c.kill();
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error("FAILED:\n  " + failures.join("\n  "));
  process.exit(1);
}
console.log("ok: every request conforms to GitHub's API description; random responses never crash the tool");
