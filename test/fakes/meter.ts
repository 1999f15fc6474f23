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

/**
 * The requests grouped by arrival into waves: a request that arrives within `gapMs` of the one
 * before it joins its wave. With a fake latency well above `gapMs`, requests sent together form one
 * wave and a request sent after another's answer starts a new one: round-trip tests assert e.g.
 * that the pages after the first of a long list arrive as one wave.
 */
export function waves<R extends { receivedAt: number }>(requests: readonly R[], gapMs: number): R[][] {
  const grouped: R[][] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const request of [...requests].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (request.receivedAt - last > gapMs || grouped.length === 0) grouped.push([]);
    grouped[grouped.length - 1]?.push(request);
    last = request.receivedAt;
  }
  return grouped;
}
