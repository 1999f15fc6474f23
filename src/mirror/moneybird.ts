import { chunk } from "../http/chunk.ts";
import type { MoneybirdContactSource } from "../ports.ts";
import { LISTING_PAGE, type Round } from "./round.ts";

/**
 * Moneybird's own way to sync (its docs ask for it): `GET /contacts/synchronization` gives every
 * contact's id and version in one call, archived ones included; only the contacts whose version
 * differs from the mirror's are fetched, 100 per `POST /contacts/synchronization`; the ids it no
 * longer lists are deletions. Each batch is written as it arrives, so a long first round keeps its
 * progress when it is interrupted.
 */
export async function syncMoneybird(live: MoneybirdContactSource, round: Round): Promise<void> {
  const versions = await live.listVersions({ includeArchived: true });
  const stored = await round.fingerprints("MoneybirdContact");
  const upstream = new Set(versions.map(({ id }) => id));
  const changed = versions
    .filter(({ id, version }) => stored.get(id) !== String(version))
    .map(({ id }) => id);
  for (const ids of chunk(changed, LISTING_PAGE.MONEYBIRD)) {
    const found = await live.getByIds(ids);
    await round.write({
      upserts: found.filter((contact) => contact !== null),
      // Listed a moment ago, gone now: deleted meanwhile.
      deletions: ids
        .filter((_, index) => found[index] === null)
        .map((id) => ({ kind: "MoneybirdContact", id })),
    });
  }
  const gone = [...stored.keys()].filter((id) => !upstream.has(id));
  await round.write(
    { upserts: [], deletions: gone.map((id) => ({ kind: "MoneybirdContact", id })) },
    { syncedAt: round.startedAt, sweptAt: round.startedAt },
  );
}
