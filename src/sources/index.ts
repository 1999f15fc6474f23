import type { Config } from "../config.ts";
import type { UpstreamSettings } from "../http/upstream-client.ts";
import { openStore, type LocalStore } from "../store/index.ts";
import type { ProviderBackend, Sources } from "./ports.ts";

export interface SourceSet {
  sources: Sources;
  close(): Promise<void>;
}

/**
 * The one place that decides which backend serves each provider: the live REST adapter when the
 * provider's credentials are configured, the local store otherwise.
 */
export async function createSources(config: Config, upstream: UpstreamSettings): Promise<SourceSet> {
  const needsStore = !config.productive || !config.moneybird || !config.freeAgent;
  const store: LocalStore | null = needsStore ? await openStore({ url: config.storeUrl }) : null;
  const storeBackend: ProviderBackend = { backend: "STORE", ping: () => (store as LocalStore).ping() };
  const closers: (() => Promise<void>)[] = [];

  const productive = config.productive
    ? notYetLive("PRODUCTIVE", upstream)
    : { companies: (store as LocalStore).companies, contactEntries: (store as LocalStore).contactEntries, backend: storeBackend };
  const moneybird = config.moneybird
    ? notYetLive("MONEYBIRD", upstream)
    : { moneybirdContacts: (store as LocalStore).moneybirdContacts, backend: storeBackend };
  const freeAgent = config.freeAgent
    ? notYetLive("FREEAGENT", upstream)
    : { freeAgentContacts: (store as LocalStore).freeAgentContacts, backend: storeBackend };

  return {
    sources: {
      companies: productive.companies,
      contactEntries: productive.contactEntries,
      moneybirdContacts: moneybird.moneybirdContacts,
      freeAgentContacts: freeAgent.freeAgentContacts,
      health: { PRODUCTIVE: productive.backend, MONEYBIRD: moneybird.backend, FREEAGENT: freeAgent.backend },
    },
    async close() {
      await Promise.all(closers.map((close) => close()));
      await store?.close();
    },
  };
}

// TEMPORARY until the REST adapters land (issues 3–5); each adapter replaces its own call.
function notYetLive(provider: string, _upstream: UpstreamSettings): never {
  throw new Error(`${provider} credentials are set, but the live ${provider} adapter is not built yet`);
}
