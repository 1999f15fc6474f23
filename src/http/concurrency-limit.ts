/**
 * Bounds how many tasks run at once: a task starts when fewer than `max` are in flight, otherwise
 * it waits its turn (first come, first served). One limit shared by all callers bounds the load the
 * gateway puts on an upstream, however many GraphQL requests arrive together.
 */
export function createConcurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  let inFlight = 0;
  const waiting: (() => void)[] = [];

  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  };

  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (inFlight < max) inFlight += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      release();
    }
  };
}
