import type { Config } from "./config.ts";
import type { UpstreamSettings } from "./http/upstream-client.ts";
import type { ProviderBackend, Sources } from "./ports.ts";
import { createFreeAgentSources } from "./sources/freeagent/index.ts";
import { createMoneybirdSources } from "./sources/moneybird/index.ts";
import { createProductiveSources } from "./sources/productive/index.ts";
import { type LocalStore, openStore } from "./store/index.ts";

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

  const liveProductive = config.productive ? createProductiveSources(config.productive, upstream) : null;
  if (liveProductive) closers.push(liveProductive.close);
  const productive = liveProductive ?? {
    companies: (store as LocalStore).companies,
    contactEntries: (store as LocalStore).contactEntries,
    backend: storeBackend,
  };
  const liveMoneybird = config.moneybird ? createMoneybirdSources(config.moneybird, upstream) : null;
  if (liveMoneybird) closers.push(liveMoneybird.close);
  const moneybird = liveMoneybird ?? {
    moneybirdContacts: (store as LocalStore).moneybirdContacts,
    backend: storeBackend,
  };
  const liveFreeAgent = config.freeAgent ? createFreeAgentSources(config.freeAgent, upstream) : null;
  if (liveFreeAgent) closers.push(liveFreeAgent.close);
  const freeAgent = liveFreeAgent ?? {
    freeAgentContacts: (store as LocalStore).freeAgentContacts,
    backend: storeBackend,
  };

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
