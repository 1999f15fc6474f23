import type { Config } from "./config.ts";
import { createCustomerSource } from "./contacts/customers/index.ts";
import { startCustomerMatcher } from "./contacts/customers/matcher.ts";
import { PROVIDERS } from "./domain/common.ts";
import type { UpstreamSettings } from "./http/upstream-client.ts";
import { startMirror } from "./mirror/index.ts";
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
  warn: (message: string) => void = () => {},
): Promise<SourceSet> {
  const mirroring =
    config.mirror !== null && Boolean(config.productive || config.moneybird || config.freeAgent);
  if (config.mirror && !mirroring)
    warn("MIRROR=on, but every provider is served by the store: there is nothing to mirror");
  const storeServes = !config.productive || !config.moneybird || !config.freeAgent;
  // Typed by `as`: assigned inside openOnce, which a null initializer's narrowing would not see.
  let opened = null as Promise<LocalStore> | null;
  const openOnce = () => {
    opened ??= openStore({
      url: config.storeUrl,
      poolSize: config.storePoolSize,
      onQuery: onStoreQuery,
      changesRetentionDays: config.changesRetentionDays,
      // A store that only mirrors gets the providers' records from the first round, not demo data.
      seed: storeServes,
    });
    return opened;
  };
  const fromStore = async <Ports>(ports: (store: LocalStore) => Ports): Promise<Served<Ports>> => {
    const store = await openOnce();
    // The store is closed once, after every provider it serves (see close below).
    return {
      ...ports(store),
      backend: { backend: "STORE", ping: () => store.ping() },
      close: async () => {},
    };
  };

  const liveProductive = config.productive ? createProductiveSources(config.productive, upstream) : null;
  const liveMoneybird = config.moneybird ? createMoneybirdSources(config.moneybird, upstream) : null;
  const liveFreeAgent = config.freeAgent ? createFreeAgentSources(config.freeAgent, upstream) : null;
  const mirror =
    mirroring && config.mirror
      ? await startMirror({
          config: config.mirror,
          store: await openOnce(),
          live: { PRODUCTIVE: liveProductive, MONEYBIRD: liveMoneybird, FREEAGENT: liveFreeAgent },
          warn,
        })
      : null;

  const productive =
    mirror?.productive ??
    liveProductive ??
    (await fromStore(({ companies, contactEntries }) => ({ companies, contactEntries })));
  const moneybird =
    mirror?.moneybird ??
    liveMoneybird ??
    (await fromStore(({ moneybirdContacts }) => ({ moneybirdContacts })));
  const freeAgent =
    mirror?.freeAgent ??
    liveFreeAgent ??
    (await fromStore(({ freeAgentContacts }) => ({ freeAgentContacts })));

  const health = {
    PRODUCTIVE: productive.backend,
    MONEYBIRD: moneybird.backend,
    FREEAGENT: freeAgent.backend,
  };
  const storeProviders = PROVIDERS.filter((provider) => health[provider].backend === "STORE");
  const store = opened ? await opened : null;
  // Matching needs every record at hand: the providers the store serves and those it mirrors.
  const matched = PROVIDERS.filter(
    (provider) =>
      storeProviders.includes(provider) || (mirror !== null && health[provider].backend === "LIVE"),
  );
  const matcher = store
    ? await startCustomerMatcher({
        store: store.customers,
        changes: store.changes,
        providers: matched,
        warn,
        pollIntervalMs: config.customerPollIntervalMs,
      })
    : null;
  return {
    sources: {
      companies: productive.companies,
      contactEntries: productive.contactEntries,
      moneybirdContacts: moneybird.moneybirdContacts,
      freeAgentContacts: freeAgent.freeAgentContacts,
      // The log is the store's: it follows the providers the store serves and those it mirrors.
      changes: store?.changes ?? null,
      // Search reads the store's index: the providers the store serves, and those the mirror has synced.
      search: store ? (mirror?.search(store, storeProviders) ?? store.search(storeProviders)) : null,
      // Ordering across providers is one query, so it needs every selected provider's rows in the store.
      orderedContacts: store
        ? (mirror?.orderedContacts(store, storeProviders) ?? store.orderedContacts(storeProviders))
        : null,
      customers: store && matcher ? createCustomerSource(store.customers, matcher, matched) : null,
      health,
    },
    async close() {
      await matcher?.stop();
      await mirror?.stop();
      await Promise.all([productive, moneybird, freeAgent].map((served) => served.close()));
      await store?.close();
    },
  };
}
