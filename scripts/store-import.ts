import { createReadStream, existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { importStoreFrom } from "../src/store/transfer.ts";
import { runTransfer } from "./store-transfer.ts";

/** `npm run store:import -- <file> [--store <url>]`: a store:export file into a new store (STORE_URL by default). */
await runTransfer(
  "store:import",
  (file, storeUrl) => {
    // Checked before the target is created and migrated, which a missing file would leave behind.
    if (!existsSync(file)) throw new Error(`no such file: ${file}`);
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    return importStoreFrom(storeUrl, lines);
  },
  (total, { migration }) => `imported ${total} rows (${migration}) into the store`,
);
