import { describe, expect, it, type OnTestFinishedHandler } from "vitest";
import { RETRY_HINTS, type RetryHint, tooManyRequests } from "../fakes/fake-server.ts";
import { execute, executeOk } from "../support/graphql.ts";
import {
  concurrentFaultHarness,
  expectAlive,
  listed,
  onlyError,
  PROVIDERS,
  received,
  SEEDED_NAME,
  seeded,
} from "./harness.ts";

/**
 * A read answered 429, for each provider and each form in which a 429 names its pause (or names
 * none): the query gets RATE_LIMITED with the pause as a delta in whole seconds, never a raw epoch;
 * a long pause is the client's to wait (not retried, and kept: the next query is refused without
 * reaching the provider), a short one is waited out and retried once. Each test has fakes and a
 * gateway of its own, so no pause outlives it, and the tests wait out their pauses side by side.
 */

/** Longer than the gateway waits out itself (2 s), far shorter than a day. */
const LONG_PAUSE_SECONDS = 30;
/** Short enough to be waited out and retried. */
const SHORT_PAUSE_SECONDS = 1;
const A_DAY_SECONDS = 86_400;

describe.each(PROVIDERS)("a $provider read answered 429", (under) => {
  const listRequest = `GET ${under.listPath}`;

  /** A seeded harness of the test's own, whose fake answers the next request 429 with `hint` of `seconds`. */
  async function answering429(
    onTestFinished: (handler: OnTestFinishedHandler) => void,
    hint: RetryHint,
    seconds: number,
  ) {
    const harness = await concurrentFaultHarness(onTestFinished);
    const fake = await seeded(harness, under);
    fake.failNext(tooManyRequests(hint, seconds));
    return { harness, fake };
  }

  it.concurrent.for(RETRY_HINTS)(
    "with the %s hint of a long pause is RATE_LIMITED for that pause, not retried, and the pause is kept",
    async (hint, { onTestFinished }) => {
      const { harness, fake } = await answering429(onTestFinished, hint, LONG_PAUSE_SECONDS);

      const result = await execute(harness.gateway(), under.list);

      const error = onlyError(result);
      expect(error).toEqual({
        code: "RATE_LIMITED",
        provider: under.provider,
        retryAfterSeconds: expect.any(Number),
      });
      const seconds = error?.retryAfterSeconds as number;
      expect(seconds).toSatisfy(Number.isInteger);
      expect(seconds).toBeGreaterThanOrEqual(0);
      expect(seconds).toBeLessThanOrEqual(A_DAY_SECONDS);
      // Without a hint the pause is the provider's documented shortest window.
      const hinted = hint === "none" ? under.shortestWindowSeconds : LONG_PAUSE_SECONDS;
      expect(Math.abs(seconds - hinted)).toBeLessThanOrEqual(1);
      expect(received(fake)).toEqual([listRequest]);

      const paused = await execute(harness.gateway(), under.list);
      expect(onlyError(paused)).toMatchObject({ code: "RATE_LIMITED", provider: under.provider });
      expect(received(fake)).toEqual([listRequest]);
      await expectAlive(harness.gateway());
    },
  );

  // Without a hint the pause is the documented window (10 s at the least): never short.
  it.concurrent.for(RETRY_HINTS.filter((hint) => hint !== "none"))(
    "with the %s hint of a short pause is waited out and retried once",
    async (hint, { onTestFinished }) => {
      const { harness, fake } = await answering429(onTestFinished, hint, SHORT_PAUSE_SECONDS);

      const data = await executeOk(harness.gateway(), under.list);

      expect(listed(data)).toEqual([SEEDED_NAME]);
      expect(received(fake)).toEqual([listRequest, listRequest]);
      const [refused, retry] = fake.requests.map((request) => request.receivedAt);
      // Timers may fire a few milliseconds early; the pause is a whole second or more.
      expect((retry as number) - (refused as number)).toBeGreaterThan(SHORT_PAUSE_SECONDS * 1000 - 20);
    },
  );
});
