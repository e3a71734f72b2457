// Parses Teams messages with Microsoft's own Adaptive Cards library (version 1.4) and fails
// on any parse or validation event: Teams answers 202 even for a card it cannot render.
//
//   node tests/js/validate-card.mjs teams-*.json
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js");

const files = process.argv.slice(2);
if (!files.length) {
  console.error("usage: node validate-card.mjs MESSAGE.json...");
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  const msg = JSON.parse(bytes);
  const problems = [];
  if (msg.type !== "message") problems.push("envelope type is not message");
  const att = msg.attachments?.[0];
  if (att?.contentType !== "application/vnd.microsoft.card.adaptive") problems.push("no Adaptive Card attachment");
  const compact = Buffer.byteLength(JSON.stringify(msg));
  if (compact > 25 * 1024) problems.push(`${compact} bytes, over 25 KB`);
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(AC.Versions.v1_4);
  card.parse(att?.content ?? {}, ctx);
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of card.validateProperties().validationEvents) problems.push(e.message);
  if (card.version?.toString() !== "1.4") problems.push(`card version ${card.version}`);
  if (problems.length) {
    failed++;
    console.error(`${file}: ${problems.join("; ")}`);
  } else {
    console.log(`${file}: valid Adaptive Card 1.4, ${compact} bytes`);
  }
}
process.exit(failed ? 1 : 0);
