import type {
  Contact,
  FreeAgentContactFilter,
  FreeAgentView,
  MoneybirdContactFilter,
  Page,
  PageRequest,
  Provider,
} from "../domain/index.ts";
import { BadUserInputError, UpstreamError } from "../errors.ts";
import type { Sources } from "../ports.ts";

/** The providers that hold accounting contacts. */
export type AccountingProvider = Contact["provider"];

/** The merged list's order: all of Moneybird's contacts, then all of FreeAgent's. */
const CONTACT_PROVIDERS: readonly AccountingProvider[] = ["MONEYBIRD", "FREEAGENT"];

/** Moneybird's conditions, FreeAgent's view and sort, and which providers to list (default: both). */
export interface MergedContactFilter extends MoneybirdContactFilter {
  providers?: readonly Provider[];
  freeAgentView?: FreeAgentView;
  freeAgentSort?: FreeAgentContactFilter["sort"];
}

/** A place in the merged list: the provider and the offset in that provider's own list. */
export interface ContactPosition {
  provider: AccountingProvider;
  offset: number;
}

export interface MergedContactsPage {
  items: (ContactPosition & { contact: Contact })[];
  hasNextPage: boolean;
  /** The selected providers' counts added up; null when one of them cannot count. */
  totalCount: number | null;
  /** The failure of the provider the page ended before, when the page already held contacts. */
  failure: UpstreamError | null;
}

export interface MergedContactList {
  /** The selected providers, in list order. */
  providers: readonly AccountingProvider[];
  /** Up to `limit` contacts after `after` (a position in one of `providers`), or from the start. */
  page(after: ContactPosition | null, limit: number): Promise<MergedContactsPage>;
}

const MONEYBIRD_ONLY_FILTERS = [
  "query",
  "firstName",
  "lastName",
  "createdAfter",
  "contactType",
  "deliveryMethod",
  "trustedType",
  "invoiceWorkflowId",
  "estimateWorkflowId",
  "todo",
  "contactField",
  "contactValue",
] as const;
const FREEAGENT_ONLY_FILTERS = ["freeAgentView", "freeAgentSort"] as const;

type ProviderLister = [AccountingProvider, (page: PageRequest) => Promise<Page<Contact>>];

/** The selected providers, in list order, after refusing filters a selected provider cannot apply. */
export function selectedContactProviders(filter: MergedContactFilter): AccountingProvider[] {
  const selected: readonly Provider[] = filter.providers ?? CONTACT_PROVIDERS;
  if (selected.includes("PRODUCTIVE")) {
    throw new BadUserInputError(
      "contacts come from MONEYBIRD and FREEAGENT; Productive companies are under `companies`",
    );
  }
  const refuse = (
    fields: readonly (keyof MergedContactFilter)[],
    only: AccountingProvider,
    other: AccountingProvider,
  ) => {
    const used = fields.filter((field) => filter[field] !== undefined);
    if (used.length > 0 && selected.includes(other)) {
      throw new BadUserInputError(
        `${used.join(", ")} can only filter ${only} contacts; set providers: [${only}] to use ${used.length > 1 ? "them" : "it"}`,
      );
    }
  };
  refuse(MONEYBIRD_ONLY_FILTERS, "MONEYBIRD", "FREEAGENT");
  refuse(FREEAGENT_ONLY_FILTERS, "FREEAGENT", "MONEYBIRD");
  if (filter.includeArchived && filter.freeAgentView && selected.includes("FREEAGENT")) {
    throw new BadUserInputError(
      "includeArchived and freeAgentView both choose FreeAgent's view: set only one",
    );
  }
  return CONTACT_PROVIDERS.filter((provider) => selected.includes(provider));
}

/** The selected providers' list calls, in list order. */
function providerListers(filter: MergedContactFilter, sources: Sources): ProviderLister[] {
  return selectedContactProviders(filter).map(
    (provider): ProviderLister =>
      provider === "MONEYBIRD"
        ? [
            provider,
            (page) =>
              sources.moneybirdContacts.list(
                {
                  query: filter.query,
                  firstName: filter.firstName,
                  lastName: filter.lastName,
                  createdAfter: filter.createdAfter,
                  updatedAfter: filter.updatedAfter,
                  includeArchived: filter.includeArchived,
                  contactType: filter.contactType,
                  deliveryMethod: filter.deliveryMethod,
                  trustedType: filter.trustedType,
                  invoiceWorkflowId: filter.invoiceWorkflowId,
                  estimateWorkflowId: filter.estimateWorkflowId,
                  todo: filter.todo,
                  contactField: filter.contactField,
                  contactValue: filter.contactValue,
                },
                page,
              ),
          ]
        : [
            provider,
            (page) =>
              sources.freeAgentContacts.list(
                {
                  view: filter.freeAgentView ?? (filter.includeArchived ? "ALL" : undefined),
                  sort: filter.freeAgentSort,
                  updatedAfter: filter.updatedAfter,
                },
                page,
              ),
          ],
  );
}

/**
 * How many requests the next provider's rate budget must have left for a page to ask it ahead
 * (`askAhead`): a request the page may not use never takes the last ones that needed requests
 * (a page, a wave of reads by id) would then wait for.
 */
export const ASK_AHEAD_RESERVE = 10;

/** The first `limit` items of a page that starts where `page` starts. */
function firstItems<T>(page: Page<T>, limit: number): Page<T> {
  return {
    items: page.items.slice(0, limit),
    hasNextPage: page.items.length > limit || page.hasNextPage,
    totalCount: page.totalCount,
  };
}

/**
 * One list over several providers: each provider's contacts in its own order, providers one after
 * another. A position names a provider and an offset in it, so a page only calls the providers it
 * reaches. When a provider fails after the page already holds contacts, the page ends there
 * (hasNextPage true, the failure in `failure`); when it fails before, the page fails.
 * Refuses (BadUserInputError), before any call, filters a selected provider cannot apply.
 */
export function createMergedContactList(sources: Sources, filter: MergedContactFilter): MergedContactList {
  const listers = providerListers(filter, sources);
  const providers = listers.map(([provider]) => provider);

  /**
   * The start of the provider after the page's first one, asked for together with the first's
   * page instead of after it, or null to ask (if at all) once the first has answered. Whether the
   * page reaches it is only known then (Moneybird does not count its contacts), so it is asked
   * ahead only when waiting would cost a round trip (both are live upstreams) and its budget has
   * room to spare; the page then takes as many of its items as it still needs.
   */
  async function askAhead(firstIndex: number, limit: number): Promise<Page<Contact> | null> {
    const first = providers[firstIndex];
    const next = listers[firstIndex + 1];
    if (!first || !next || sources.health[first].backend !== "LIVE") return null;
    // A budget that cannot tell its room (Redis failing) is no reason to fail the page: ask in turn.
    const protection = await sources.health[next[0]].protection?.().catch(() => undefined);
    if (protection?.breaker !== "CLOSED") return null;
    const { remaining, pausedForSeconds } = protection.budget;
    if (pausedForSeconds > 0 || remaining < ASK_AHEAD_RESERVE) return null;
    return next[1]({ offset: 0, limit: Math.max(limit, 1) });
  }

  async function page(after: ContactPosition | null, limit: number): Promise<MergedContactsPage> {
    const items: MergedContactsPage["items"] = [];
    const totals = new Map<AccountingProvider, number | null>();
    let hasNextPage = false;
    let failure: UpstreamError | null = null;
    const firstIndex = after ? providers.indexOf(after.provider) : 0;
    const ahead = askAhead(firstIndex, limit);
    // Awaited only if the page reaches that provider; its failure must not go unhandled otherwise.
    ahead.catch(() => undefined);

    for (let index = firstIndex; index < providers.length; index++) {
      const [provider, list] = listers[index] as ProviderLister;
      const offset = after && index === firstIndex ? after.offset + 1 : 0;
      const remaining = limit - items.length;
      // A full page still needs to know whether anything follows: ask the next provider for one item.
      const request = { offset, limit: remaining > 0 ? remaining : 1 };
      let listed: Page<Contact>;
      try {
        const asked = index === firstIndex + 1 ? await ahead : null;
        listed = asked ? firstItems(asked, request.limit) : await list(request);
      } catch (error) {
        // Never skip past a failing provider (a client resuming after the last item would miss its
        // contacts): serve what this page has so far and let the next page start at that provider again.
        if (!(error instanceof UpstreamError) || items.length === 0) throw error;
        failure = error;
        hasNextPage = true;
        break;
      }
      totals.set(provider, listed.totalCount);
      if (remaining <= 0) {
        if (listed.items.length === 0) continue;
        hasNextPage = true;
        break;
      }
      listed.items.forEach((contact, i) => {
        items.push({ provider, offset: offset + i, contact });
      });
      if (listed.hasNextPage) {
        hasNextPage = true;
        break;
      }
    }

    const knownTotals = providers.map((provider) => totals.get(provider));
    const totalCount = knownTotals.every((total) => typeof total === "number")
      ? (knownTotals as number[]).reduce((sum, total) => sum + total, 0)
      : null;
    return { items, hasNextPage, totalCount, failure };
  }

  return { providers, page };
}
