import { createFreeAgentSources } from "../../src/sources/freeagent/index.ts";
import { describeFreeAgentContract } from "../contract/freeagent.contract.ts";
import { startFakeFreeAgent } from "../fakes/freeagent.ts";

describeFreeAgentContract("live adapter against the fake FreeAgent", async () => {
  const fake = await startFakeFreeAgent();
  const live = createFreeAgentSources(fake.config, { timeoutMs: 2_000 });
  return {
    contacts: live.freeAgentContacts,
    async close() {
      await live.close();
      await fake.close();
    },
  };
});
