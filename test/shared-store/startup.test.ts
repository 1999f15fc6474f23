import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { useGatewayProcesses } from "../support/gateway-process.ts";

/** A PostgreSQL store that cannot be opened stops the start: exit 1, one line naming STORE_URL. */

const startProcess = useGatewayProcesses();

async function refusal(storeUrl: string): Promise<{ code: number; lines: string[] }> {
  const { child, output } = startProcess(["--import", "tsx", "src/main.ts"], { STORE_URL: storeUrl });
  const [code] = await once(child, "exit");
  return { code, lines: output().trim().split("\n") };
}

describe("a PostgreSQL STORE_URL that cannot be opened", () => {
  it("names STORE_URL when nothing listens there, its password masked", { timeout: 20_000 }, async () => {
    const { code, lines } = await refusal("postgres://gw:secret@127.0.0.1:1/gateway");
    expect(code).toBe(1);
    expect(lines).toEqual([
      "Cannot start: STORE_URL=postgres://gw:***@127.0.0.1:1/gateway: cannot open it as a PostgreSQL store (connect ECONNREFUSED 127.0.0.1:1)",
    ]);
  });

  it("names STORE_URL when the database does not exist", { timeout: 20_000 }, async () => {
    const { code, lines } = await refusal("postgresql://postgres@127.0.0.1:5432/gw_no_such_database");
    expect(code).toBe(1);
    expect(lines).toEqual([
      'Cannot start: STORE_URL=postgresql://postgres@127.0.0.1:5432/gw_no_such_database: cannot open it as a PostgreSQL store (3D000: database "gw_no_such_database" does not exist)',
    ]);
  });
});
