import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { exportStoreTo } from "../src/store/transfer.ts";

/** `npm run store:export -- <file> [--store <url>]`: the store (STORE_URL by default) as JSON lines. */
const USAGE = "usage: npm run store:export -- <file> [--store <url>]  (the store defaults to STORE_URL)";

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { store: { type: "string" } },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new Error(USAGE);
  // Through the gateway's config, so the default and file: URLs mean what they mean to the gateway.
  const { storeUrl } = loadConfig({ ...process.env, STORE_URL: values.store ?? process.env.STORE_URL });
  const out = createWriteStream(file);
  const { migration, rows } = await exportStoreTo(storeUrl, out);
  out.end();
  await finished(out);
  const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
  console.log(`exported ${total} rows (${migration}) to ${file}`);
} catch (error) {
  console.error(`store:export: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
