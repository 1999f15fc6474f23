import { setImmediate as nextTurn } from "node:timers/promises";
import type { Dispatcher } from "undici";

/**
 * Passes requests on to `dispatcher` and counts how many are in flight at once, to check a
 * concurrency bound. Each request yields a turn first, so requests started together overlap.
 */
export function countInFlight(dispatcher: Dispatcher): { dispatcher: Dispatcher; maxInFlight(): number } {
  let inFlight = 0;
  let maxInFlight = 0;
  const counting = {
    async request(options: Dispatcher.RequestOptions) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await nextTurn();
        return await dispatcher.request(options);
      } finally {
        inFlight -= 1;
      }
    },
  } as unknown as Dispatcher;
  return { dispatcher: counting, maxInFlight: () => maxInFlight };
}
