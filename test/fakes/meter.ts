/**
 * The most requests received in any `windowMs`-long interval [t, t + windowMs) that starts at one of
 * them, i.e. what an upstream counting a sliding window would have seen at its busiest: burst tests
 * assert e.g. `maxInWindow(fake.requests, 10_000) <= 100` for Productive's 100 per 10 seconds.
 */
export function maxInWindow(requests: readonly { receivedAt: number }[], windowMs: number): number {
  const times = requests.map((request) => request.receivedAt).sort((a, b) => a - b);
  let most = 0;
  let end = 0;
  for (const [start, time] of times.entries()) {
    while (end < times.length && (times[end] as number) < time + windowMs) end += 1;
    most = Math.max(most, end - start);
  }
  return most;
}
