import { expect } from "vitest";
import { createMoneybirdSources } from "../../src/sources/moneybird/index.ts";
import { describeMoneybirdContract } from "../contract/moneybird.contract.ts";
import { startFakeMoneybird } from "../fakes/moneybird.ts";

/** The port contract, served by the live adapter over HTTP from a fresh fake Moneybird, every exchange checked against the spec. */
describeMoneybirdContract("live adapter against the fake Moneybird", async () => {
  const fake = await startFakeMoneybird();
  const sources = createMoneybirdSources(fake.config, { timeoutMs: 5_000 });
  return {
    contacts: sources.moneybirdContacts,
    async close() {
      await sources.close();
      await fake.close();
      expect(fake.violations).toEqual([]);
    },
  };
});
