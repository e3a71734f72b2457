// Sends the weekly email to maildev (a real SMTP server) and reads it back through its API:
// subject, recipients, the text and HTML parts, and every cid: chart attached.
//
//   node tests/js/maildev-check.mjs path/to/campaign-pulse
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const binary = resolve(process.argv[2] ?? "target/debug/campaign-pulse");
const smtpPort = 21025 + Math.floor(Math.random() * 1000);
const webPort = smtpPort + 1000;
const work = mkdtempSync(join(tmpdir(), "pulse-maildev-"));
cpSync(join(here, "..", "fixtures"), work, { recursive: true });

const maildev = spawn(join(here, "node_modules", ".bin", "maildev"),
  ["--ip", "127.0.0.1", "--web-ip", "127.0.0.1", "-s", String(smtpPort), "-w", String(webPort),
   "--mail-directory", join(work, "maildev"), "--silent"], { stdio: "inherit" });
const api = (path) => fetch(`http://127.0.0.1:${webPort}${path}`).then((r) => r.json());
const failures = [];
try {
  for (let i = 0; ; i++) {
    try { await api("/api/email"); break; } catch { if (i > 50) throw new Error("maildev did not start"); }
    await new Promise((r) => setTimeout(r, 200));
  }
  const run = spawnSync(binary, ["run", "--config", "config.yaml", "--as-of", "2026-11-23", "--source", "fixture:alerts.json"], {
    cwd: work, encoding: "utf8",
    env: { ...process.env, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, GITHUB_STEP_SUMMARY: "" },
  });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  if (run.status !== 0) failures.push(`campaign-pulse exited ${run.status}`);
  const mails = await api("/api/email");
  if (mails.length !== 1) failures.push(`${mails.length} messages received, expected 1`);
  const m = mails[0] ?? {};
  const expect = (ok, what) => { if (!ok) failures.push(what); };
  expect(m.subject === "1 overdue, 1 at risk — secret remediation, week to 2026-11-23", `subject: ${m.subject}`);
  expect(m.to?.map((a) => a.address).join() === "ciso@acme.example", "to");
  expect(m.cc?.map((a) => a.address).join() === "secops@acme.example", "cc");
  expect(m.text?.includes("== Azure credentials =="), "a plain-text part with each campaign");
  expect((m.text ?? "").split("\n").every((l) => l.length <= 78 || !l.trim().includes(" ")), "plain text wrapped at 78");
  expect(Buffer.byteLength(m.html ?? "") < 100 * 1024, "an HTML part under 100 KB");
  const source = await fetch(`http://127.0.0.1:${webPort}/api/email/${m.id}/source`).then((r) => r.text());
  // maildev rewrites cid: links in its parsed HTML, so read them from the raw (quoted-printable) source
  const decoded = source.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const cids = [...decoded.matchAll(/src="cid:([^"]+)"/g)].map((x) => x[1]);
  const attached = (m.attachments ?? []).filter((a) => a.contentType === "image/png").map((a) => a.contentId);
  expect(cids.length === 2, `one burndown per campaign in the HTML: ${cids}`);
  for (const cid of cids) expect(attached.includes(cid), `no image part for cid:${cid} (parts: ${attached})`);
  expect((m.html ?? "").includes('style="'), "CSS inlined");
  expect(/Content-Type: multipart\/alternative/i.test(source), "multipart/alternative");
  expect(/Content-Type: multipart\/related/i.test(source), "multipart/related for the inline charts");
  expect(!source.includes("CANARY"), "no secret or comment in the message");
  console.log(`maildev received "${m.subject}" with ${attached.length} inline charts`);
} catch (e) {
  failures.push(String(e));
} finally {
  maildev.kill();
  rmSync(work, { recursive: true, force: true });
}
if (failures.length) {
  console.error("FAILED:\n  " + failures.join("\n  "));
  process.exit(1);
}
console.log("ok: the email arrived whole");
