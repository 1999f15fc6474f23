import { parseArgs } from "node:util";
import { loadConfig } from "../src/config.ts";
import type { TransferSummary } from "../src/store/transfer.ts";

/**
 * What `store:export` and `store:import` share: `<file> [--store <url>]`, the store through the
 * gateway's config (so the default and file: URLs mean what they mean to the gateway), one line
 * of outcome, and exit 1 with the reason on any failure.
 */
export async function runTransfer(
  command: "store:export" | "store:import",
  transfer: (file: string, storeUrl: string) => Promise<TransferSummary>,
  done: (total: number, summary: TransferSummary, file: string) => string,
): Promise<void> {
  const usage = `usage: npm run ${command} -- <file> [--store <url>]  (the store defaults to STORE_URL)`;
  try {
    const { positionals, values } = parseArgs({
      allowPositionals: true,
      options: { store: { type: "string" } },
    });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new Error(usage);
    const { storeUrl } = loadConfig({ ...process.env, STORE_URL: values.store ?? process.env.STORE_URL });
    const summary = await transfer(file, storeUrl);
    const total = Object.values(summary.rows).reduce((sum, count) => sum + count, 0);
    console.log(done(total, summary, file));
  } catch (error) {
    console.error(`${command}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
