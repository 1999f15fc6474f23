import type { MirrorConfig } from "../config.ts";
import { PROVIDERS, type Provider } from "../domain/index.ts";
import type {
  CompanySource,
  ContactEntrySource,
  FreeAgentContactSource,
  MirrorStore,
  MoneybirdContactSource,
  OrderedContactSource,
  ProviderBackend,
  SearchSource,
} from "../ports.ts";
import { syncFreeAgent } from "./freeagent.ts";
import { syncMoneybird } from "./moneybird.ts";
import { syncProductive } from "./productive.ts";
import {
  type Mirrored,
  mirroredCompanies,
  mirroredContactEntries,
  mirroredFreeAgentContacts,
  mirroredMoneybirdContacts,
  readsFromMirror,
} from "./sources.ts";
import { leaseTtlMs, type MirrorStatus, mirrorTimings, type ProviderSync, startMirrorSync } from "./sync.ts";

/** What the mirror needs of the store: its ports (the mirror's reads), its writes, its search and ordering. */
export interface MirrorableStore {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
  moneybirdContacts: MoneybirdContactSource;
  freeAgentContacts: FreeAgentContactSource;
  mirror(options: { leaseTtlMs: number }): MirrorStore;
  search(providers: readonly Provider[]): SearchSource;
  orderedContacts(providers: readonly Provider[]): OrderedContactSource;
}

type Served<Ports> = Ports & { backend: ProviderBackend; close(): Promise<void> };

export interface LiveProviders {
  PRODUCTIVE: Omit<Served<{ companies: CompanySource; contactEntries: ContactEntrySource }>, never> | null;
  MONEYBIRD: Served<{ moneybirdContacts: MoneybirdContactSource }> | null;
  FREEAGENT: Served<{ freeAgentContacts: FreeAgentContactSource }> | null;
}

export interface Mirror {
  productive: LiveProviders["PRODUCTIVE"];
  moneybird: LiveProviders["MONEYBIRD"];
  freeAgent: LiveProviders["FREEAGENT"];
  /** Search over the store's providers and the mirrored ones synced at least once. */
  search(store: MirrorableStore, storeProviders: readonly Provider[]): SearchSource;
  /** Ordering over the store's providers and those the mirror serves in this request. */
  orderedContacts(store: MirrorableStore, storeProviders: readonly Provider[]): OrderedContactSource;
  stop(): Promise<void>;
}

/**
 * The live mirror (MIRROR=on): every live provider's records kept in the store by sync rounds
 * (src/mirror/sync.ts), its ports wrapped so that reads may come from the mirror and writes are
 * kept in it (src/mirror/sources.ts). docs/mirror.md tells the rules.
 */
export async function startMirror({
  config,
  store,
  live,
  warn,
}: {
  config: MirrorConfig;
  store: MirrorableStore;
  live: LiveProviders;
  warn(message: string): void;
}): Promise<Mirror> {
  const timings = mirrorTimings(config.intervalSeconds, config.sweepIntervalSeconds);
  const mirrorStore = store.mirror({ leaseTtlMs: leaseTtlMs(timings) });
  const syncs: Partial<Record<Provider, ProviderSync>> = {};
  if (live.PRODUCTIVE) {
    const productive = live.PRODUCTIVE;
    syncs.PRODUCTIVE = (round) => syncProductive(productive, round);
  }
  if (live.MONEYBIRD) {
    const { moneybirdContacts } = live.MONEYBIRD;
    syncs.MONEYBIRD = (round) => syncMoneybird(moneybirdContacts, round);
  }
  if (live.FREEAGENT) {
    const { freeAgentContacts } = live.FREEAGENT;
    syncs.FREEAGENT = (round) => syncFreeAgent(freeAgentContacts, round);
  }
  const sync = await startMirrorSync({ store: mirrorStore, syncs, timings, warn });
  const mirrored: Mirrored = { status: sync.status, store: mirrorStore, warn };
  const backendOf = (provider: Provider, backend: ProviderBackend): ProviderBackend => ({
    ...backend,
    mirror: () => ({
      state: sync.status.state(provider),
      syncing: sync.status.syncing(),
      intervalSeconds: config.intervalSeconds,
    }),
  });
  const synced = (status: MirrorStatus, storeProviders: readonly Provider[]) =>
    PROVIDERS.filter((provider) => storeProviders.includes(provider) || status.syncedAt(provider) !== null);

  return {
    productive: live.PRODUCTIVE && {
      companies: mirroredCompanies(live.PRODUCTIVE.companies, store.companies, mirrored),
      contactEntries: mirroredContactEntries(live.PRODUCTIVE.contactEntries, store.contactEntries, mirrored),
      backend: backendOf("PRODUCTIVE", live.PRODUCTIVE.backend),
      close: live.PRODUCTIVE.close,
    },
    moneybird: live.MONEYBIRD && {
      moneybirdContacts: mirroredMoneybirdContacts(
        live.MONEYBIRD.moneybirdContacts,
        store.moneybirdContacts,
        mirrored,
      ),
      backend: backendOf("MONEYBIRD", live.MONEYBIRD.backend),
      close: live.MONEYBIRD.close,
    },
    freeAgent: live.FREEAGENT && {
      freeAgentContacts: mirroredFreeAgentContacts(
        live.FREEAGENT.freeAgentContacts,
        store.freeAgentContacts,
        mirrored,
      ),
      backend: backendOf("FREEAGENT", live.FREEAGENT.backend),
      close: live.FREEAGENT.close,
    },
    search(searchStore, storeProviders) {
      return {
        get providers() {
          return synced(sync.status, storeProviders);
        },
        search: (query, page) => searchStore.search(synced(sync.status, storeProviders)).search(query, page),
      };
    },
    orderedContacts(orderStore, storeProviders) {
      const all = orderStore.orderedContacts(PROVIDERS);
      return {
        covers: (provider) => storeProviders.includes(provider) || readsFromMirror(sync.status, provider),
        list: (filter, order, providers, page) => all.list(filter, order, providers, page),
      };
    },
    stop: () => sync.stop(),
  };
}
