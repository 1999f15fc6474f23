import { createProductiveSources } from "../../src/sources/productive/index.ts";
import { describeProductiveContract } from "../contract/productive.contract.ts";
import { startFakeProductive } from "../fakes/productive.ts";

describeProductiveContract("REST adapter against the fake Productive", async () => {
  const fake = await startFakeProductive();
  const productive = createProductiveSources(fake.config, { timeoutMs: 5_000 });
  return {
    companies: productive.companies,
    contactEntries: productive.contactEntries,
    async close() {
      await productive.close();
      await fake.close();
    },
  };
});
