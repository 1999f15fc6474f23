import type { CompanySource, ContactEntrySource } from "../ports.ts";
import { changedRecords, confirmedGone, LISTING_PAGE, listAll, type Round } from "./round.ts";

/** Productive as the mirror reads it: its live ports. */
export interface LiveProductive {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
}

/**
 * Productive documents no change feed and no "updated since" filter (`last_activity_at` is not
 * said to move on an edit), so every round lists companies and contact entries in full, pages of
 * 200, and writes only what differs: ⌈companies/200⌉ + ⌈entries/200⌉ requests a round. That full
 * listing is the sweep that sees deletions too.
 */
export async function syncProductive(live: LiveProductive, round: Round): Promise<void> {
  const storedCompanies = await round.fingerprints("Company");
  const companies = await listAll(
    LISTING_PAGE.PRODUCTIVE,
    (page) => live.companies.list({}, { field: "CREATED_AT", direction: "ASC" }, page),
    (items) => round.write({ upserts: changedRecords(items, storedCompanies), deletions: [] }),
  );
  const goneCompanies = await confirmedGone(round, storedCompanies.keys(), companies, (ids) =>
    live.companies.getByIds(ids),
  );
  for (const found of goneCompanies.found) companies.add(found.id);

  const storedEntries = await round.fingerprints("ContactEntry");
  // An entry of a company created after the companies were listed waits for the next round: its row refers to the company's.
  const ofKnownCompany = (entry: { companyId: string | null }) =>
    entry.companyId === null || companies.has(entry.companyId);
  const entries = await listAll(
    LISTING_PAGE.PRODUCTIVE,
    (page) => live.contactEntries.list({}, page),
    (items) =>
      round.write({ upserts: changedRecords(items.filter(ofKnownCompany), storedEntries), deletions: [] }),
  );
  const goneEntries = await confirmedGone(round, storedEntries.keys(), entries, (ids) =>
    live.contactEntries.getByIds(ids),
  );

  await round.write(
    {
      upserts: [...goneCompanies.found, ...goneEntries.found.filter(ofKnownCompany)],
      deletions: [
        ...goneEntries.gone.map((id) => ({ kind: "ContactEntry" as const, id })),
        ...goneCompanies.gone.map((id) => ({ kind: "Company" as const, id })),
      ],
    },
    { syncedAt: round.startedAt, sweptAt: round.startedAt },
  );
}
