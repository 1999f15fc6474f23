import type { Sources } from "./ports.ts";

/**
 * The sources with every by-id and per-company read split into one call per key, as if each
 * DataLoader batch held one key (GATEWAY_BATCHING=off). A diagnostics knob: it shows what
 * batching saves (the N+1 baseline of `npm run bench`), never meant for serving.
 */
export function unbatchedSources(sources: Sources): Sources {
  const oneByOne =
    <T>(getByIds: (ids: readonly string[]) => Promise<T[]>) =>
    async (ids: readonly string[]): Promise<T[]> =>
      (await Promise.all(ids.map((id) => getByIds([id])))).flat();
  const { companies, contactEntries, moneybirdContacts, freeAgentContacts } = sources;
  return {
    ...sources,
    companies: { ...companies, getByIds: oneByOne(companies.getByIds) },
    contactEntries: {
      ...contactEntries,
      getByIds: oneByOne(contactEntries.getByIds),
      listByCompanyIds: async (companyIds, types) =>
        (await Promise.all(companyIds.map((id) => contactEntries.listByCompanyIds([id], types)))).flat(),
    },
    moneybirdContacts: { ...moneybirdContacts, getByIds: oneByOne(moneybirdContacts.getByIds) },
    freeAgentContacts: { ...freeAgentContacts, getByIds: oneByOne(freeAgentContacts.getByIds) },
  };
}
