import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { exportStoreTo } from "../src/store/transfer.ts";
import { runTransfer } from "./store-transfer.ts";

/** `npm run store:export -- <file> [--store <url>]`: the store (STORE_URL by default) as JSON lines. */
await runTransfer(
  "store:export",
  async (file, storeUrl) => {
    const out = createWriteStream(file);
    const summary = await exportStoreTo(storeUrl, out);
    out.end();
    await finished(out);
    return summary;
  },
  (total, { migration }, file) => `exported ${total} rows (${migration}) to ${file}`,
);
