import type { FreeAgentConfig } from "../../config.ts";
import type { UpstreamSettings } from "../../http/upstream-client.ts";
import type { FreeAgentContactSource, ProviderBackend } from "../../ports.ts";
import { createFreeAgentClient } from "./client.ts";
import { createFreeAgentContactSource, pingFreeAgent } from "./source.ts";

/** FreeAgent served live: the contact source and the health probe share one authorised client. */
export function createFreeAgentSources(
  config: FreeAgentConfig,
  upstream: UpstreamSettings,
): { freeAgentContacts: FreeAgentContactSource; backend: ProviderBackend; close(): Promise<void> } {
  const client = createFreeAgentClient(config, upstream);
  return {
    freeAgentContacts: createFreeAgentContactSource(client),
    backend: { backend: "LIVE", ping: () => pingFreeAgent(client), protection: () => client.protection() },
    close: () => client.close(),
  };
}
