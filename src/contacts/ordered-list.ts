import {
  type Contact,
  type ContactOrder,
  type OrderedContactFilter,
  type Page,
  type PageRequest,
  PROVIDER_NAMES,
} from "../domain/index.ts";
import { BadUserInputError } from "../errors.ts";
import type { Sources } from "../ports.ts";
import { type MergedContactFilter, selectedContactProviders } from "./merged-list.ts";

/** The filters of the contacts list an ordered list applies (in the database, so every provider alike). */
const ORDERED_FILTERS = ["providers", "includeArchived", "createdAfter", "updatedAfter"] as const;

/**
 * The selected providers' contacts as one list in `order`. Only a database holding every selected
 * provider's records can order them together, so a provider `orderedContacts` does not cover now
 * (served live, no fresh mirror) is refused, as is a filter it does not apply; both before any read.
 */
export function listOrderedContacts(
  sources: Sources,
  filter: MergedContactFilter,
  order: ContactOrder,
  page: PageRequest,
): Promise<Page<Contact>> {
  const unsupported = Object.entries(filter)
    .filter(
      ([field, value]) => value !== undefined && !(ORDERED_FILTERS as readonly string[]).includes(field),
    )
    .map(([field]) => field);
  if (unsupported.length > 0) {
    throw new BadUserInputError(
      `orderBy cannot be combined with ${unsupported.join(", ")}: with orderBy, the filter takes only ${ORDERED_FILTERS.join(", ")}`,
    );
  }
  const providers = selectedContactProviders(filter);
  const source = sources.orderedContacts;
  const live = providers.filter((provider) => !source?.covers(provider));
  if (live.length > 0) {
    const covered = providers.filter((provider) => !live.includes(provider));
    const names = live.map((provider) => PROVIDER_NAMES[provider]).join(" and ");
    throw new BadUserInputError(
      `orderBy needs the store or a fresh mirror for every selected provider, and ${names} ${live.length > 1 ? "are" : "is"} served live: ask for a fresh mirror with query @mirror(maxAgeSeconds: …)${covered.length > 0 ? ` or select providers: [${covered.join(", ")}]` : ""}`,
    );
  }
  // Without a source nothing is covered, so nothing was selected (providers: []).
  if (!source) return Promise.resolve({ items: [], hasNextPage: false, totalCount: 0 });
  const { includeArchived, createdAfter, updatedAfter } = filter;
  const applied: OrderedContactFilter = { includeArchived, createdAfter, updatedAfter };
  return source.list(applied, order, providers, page);
}
