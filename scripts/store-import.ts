import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import { importStoreFrom } from "../src/store/transfer.ts";

/** `npm run store:import -- <file> [--store <url>]`: a store:export file into a new store (STORE_URL by default). */
const USAGE = "usage: npm run store:import -- <file> [--store <url>]  (the store defaults to STORE_URL)";

try {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { store: { type: "string" } },
  });
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new Error(USAGE);
  // Checked before the target is created and migrated, which a missing file would leave behind.
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  // Through the gateway's config, so the default and file: URLs mean what they mean to the gateway.
  const { storeUrl } = loadConfig({ ...process.env, STORE_URL: values.store ?? process.env.STORE_URL });
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  const { migration, rows } = await importStoreFrom(storeUrl, lines);
  const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
  console.log(`imported ${total} rows (${migration}) into the store`);
} catch (error) {
  console.error(`store:import: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
