// Validates GraphQL requests (JSON bodies: {"query", "variables"}) against GitHub's published
// GraphQL schema (npm @octokit/graphql-schema), with the reference `graphql` implementation:
// every field, argument, fragment type and variable type must exist as GitHub defines it,
// and every variable the query declares must be given a value of the right kind.
//
//   node tests/js/graphql-check.mjs target/tmp/graphql/*.json
import { readFileSync } from "node:fs";
import { buildSchema, parse, validate, coerceInputValue, typeFromAST } from "graphql";
import { schema as github } from "@octokit/graphql-schema";

const sdl = github.idl;
// the published file repeats two fields: build it without re-validating the SDL itself
const schema = buildSchema(sdl, { assumeValidSDL: true });

const files = process.argv.slice(2);
if (!files.length) {
  console.error("usage: node graphql-check.mjs REQUEST.json...");
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  const { query, variables = {} } = JSON.parse(readFileSync(file, "utf8"));
  const problems = [];
  let doc;
  try {
    doc = parse(query);
  } catch (e) {
    problems.push(`does not parse: ${e.message}`);
  }
  if (doc) {
    for (const e of validate(schema, doc)) problems.push(e.message);
    for (const def of doc.definitions) {
      for (const v of def.variableDefinitions ?? []) {
        const name = v.variable.name.value;
        const type = typeFromAST(schema, v.type);
        if (!(name in variables)) {
          problems.push(`variable $${name} has no value`);
          continue;
        }
        coerceInputValue(variables[name], type, (path, value, error) =>
          problems.push(`variable $${name}: ${error.message}`));
      }
    }
  }
  if (problems.length) {
    failed++;
    console.error(`${file}:\n  ${problems.join("\n  ")}`);
  } else {
    console.log(`${file}: valid against GitHub's GraphQL schema`);
  }
}
process.exit(failed ? 1 : 0);
