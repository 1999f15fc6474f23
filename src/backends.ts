import type { Config } from "./config.ts";
import { PROVIDERS } from "./domain/common.ts";
import type { UpstreamSettings } from "./http/upstream-client.ts";
import type { ProviderBackend, Sources } from "./ports.ts";
import { createFreeAgentSources } from "./sources/freeagent/index.ts";
import { createMoneybirdSources } from "./sources/moneybird/index.ts";
import { createProductiveSources } from "./sources/productive/index.ts";
import { type LocalStore, type OpenStoreOptions, openStore } from "./store/index.ts";

export interface SourceSet {
  sources: Sources;
  close(): Promise<void>;
}

/** One provider's ports as one backend serves them. */
type Served<Ports> = Ports & { backend: ProviderBackend; close(): Promise<void> };

/**
 * The composition root: the one place that decides which backend serves each provider — the live
 * REST adapter when the provider's credentials are configured, the local store otherwise. The store
 * is opened only when some provider needs it, and once.
 */
export async function createSources(
  config: Config,
  upstream: UpstreamSettings,
  onStoreQuery?: OpenStoreOptions["onQuery"],
): Promise<SourceSet> {
  // Typed by `as`: assigned inside fromStore, which a null initializer's narrowing would not see.
  let opened = null as Promise<LocalStore> | null;
  const fromStore = async <Ports>(ports: (store: LocalStore) => Ports): Promise<Served<Ports>> => {
    opened ??= openStore({
      url: config.storeUrl,
      poolSize: config.storePoolSize,
      onQuery: onStoreQuery,
      changesRetentionDays: config.changesRetentionDays,
    });
    const store = await opened;
    // The store is closed once, after every provider it serves (see close below).
    return {
      ...ports(store),
      backend: { backend: "STORE", ping: () => store.ping() },
      close: async () => {},
    };
  };

  const productive = config.productive
    ? createProductiveSources(config.productive, upstream)
    : await fromStore(({ companies, contactEntries }) => ({ companies, contactEntries }));
  const moneybird = config.moneybird
    ? createMoneybirdSources(config.moneybird, upstream)
    : await fromStore(({ moneybirdContacts }) => ({ moneybirdContacts }));
  const freeAgent = config.freeAgent
    ? createFreeAgentSources(config.freeAgent, upstream)
    : await fromStore(({ freeAgentContacts }) => ({ freeAgentContacts }));

  const health = {
    PRODUCTIVE: productive.backend,
    MONEYBIRD: moneybird.backend,
    FREEAGENT: freeAgent.backend,
  };
  const storeProviders = PROVIDERS.filter((provider) => health[provider].backend === "STORE");
  return {
    sources: {
      companies: productive.companies,
      contactEntries: productive.contactEntries,
      moneybirdContacts: moneybird.moneybirdContacts,
      freeAgentContacts: freeAgent.freeAgentContacts,
      // The log is the store's: it follows the providers the store serves (a mirror's, later, too).
      changes: opened ? (await opened).changes : null,
      // Search reads the store's index, so it covers the providers the store serves; a live
      // provider's records are not there (until a mirror keeps them).
      search: opened ? (await opened).search(storeProviders) : null,
      health,
    },
    async close() {
      await Promise.all([productive, moneybird, freeAgent].map((served) => served.close()));
      await (await opened)?.close();
    },
  };
}
