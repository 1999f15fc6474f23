import type { MoneybirdConfig } from "../../config.ts";
import type { UpstreamSettings } from "../../http/upstream-client.ts";
import type { MoneybirdContactSource, ProviderBackend } from "../../ports.ts";
import { createMoneybirdClient } from "./client.ts";
import { createMoneybirdContactSource, pingMoneybird } from "./source.ts";

/** Moneybird served live: the contact source and the health probe share one client. */
export function createMoneybirdSources(
  config: MoneybirdConfig,
  upstream: UpstreamSettings,
): { moneybirdContacts: MoneybirdContactSource; backend: ProviderBackend; close(): Promise<void> } {
  const client = createMoneybirdClient(config, upstream);
  return {
    moneybirdContacts: createMoneybirdContactSource(client),
    backend: { backend: "LIVE", ping: () => pingMoneybird(client), protection: () => client.protection() },
    close: () => client.close(),
  };
}
