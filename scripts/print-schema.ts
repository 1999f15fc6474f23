import { readFileSync, writeFileSync } from "node:fs";
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "../src/schema/index.ts";

/** Prints the schema to schema.graphql; with --check, fails when the file differs from the code. */
const path = new URL("../schema.graphql", import.meta.url);
const printed = `${printSchema(lexicographicSortSchema(schema))}\n`;

if (process.argv.includes("--check")) {
  const current = (() => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return "";
    }
  })();
  if (current !== printed) {
    console.error("schema.graphql is out of date: run `npm run schema:print` and commit it.");
    process.exit(1);
  }
  console.log("schema.graphql is up to date.");
} else {
  writeFileSync(path, printed);
  console.log("wrote schema.graphql");
}
