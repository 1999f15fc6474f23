import { describe, expect, it } from "vitest";
import type { Fault } from "../fakes/fake-server.ts";
import { execute, executeOk } from "../support/graphql.ts";
import {
  ATTEMPTS,
  expectAlive,
  listed,
  MAX_BODY_BYTES,
  onlyError,
  PROVIDERS,
  type ProviderUnderFault,
  received,
  SEEDED_NAME,
  seeded,
  UPSTREAM_TIMEOUT_MS,
  useFaultHarness,
} from "./harness.ts";

/**
 * Every way an upstream read can go wrong, for each provider, through the whole gateway: the query
 * gets a typed error naming the provider, the fake receives the attempts the retry policy allows
 * (502, 503, 504 and resets are retried; 500, 401, timeouts and bad bodies are not), and the gateway
 * answers the next queries as if nothing had happened. 429s are in rate-limits.test.ts.
 */

const harness = useFaultHarness();

interface ReadFault {
  name: string;
  fault(under: ProviderUnderFault): Fault;
  code: string;
  /** What the message says, which tells faults of one code apart. */
  message: RegExp;
  retried: boolean;
}

const failedWith = (status: number, retried: boolean): ReadFault => ({
  name: String(status),
  fault: (under) => under.status(status),
  code: "UPSTREAM_UNAVAILABLE",
  message: new RegExp(`failed with ${status}`),
  retried,
});

const READ_FAULTS: ReadFault[] = [
  failedWith(500, false),
  failedWith(502, true),
  failedWith(503, true),
  failedWith(504, true),
  {
    name: "slow headers",
    fault: () => ({ kind: "slowHeaders", ms: UPSTREAM_TIMEOUT_MS * 4 }),
    code: "UPSTREAM_TIMEOUT",
    // No status came: what tells it from a stalled body.
    message: /did not answer (?!.*arrived)/,
    retried: false,
  },
  {
    name: "stalled body",
    fault: () => ({ kind: "stalledBody" }),
    code: "UPSTREAM_TIMEOUT",
    message: /status 200 arrived, its body did not/,
    retried: false,
  },
  {
    name: "connection reset",
    fault: () => ({ kind: "reset" }),
    code: "UPSTREAM_UNAVAILABLE",
    message: /ECONNRESET/,
    retried: true,
  },
  {
    name: "malformed JSON",
    fault: () => ({ kind: "malformedJson" }),
    code: "UPSTREAM_BAD_RESPONSE",
    message: /sent an unexpected/,
    retried: false,
  },
  {
    name: "HTML 200",
    fault: () => ({ kind: "html200" }),
    code: "UPSTREAM_BAD_RESPONSE",
    message: /sent an unexpected/,
    retried: false,
  },
  {
    name: "oversized body",
    fault: () => ({ kind: "oversized", bytes: MAX_BODY_BYTES * 4 }),
    code: "UPSTREAM_BAD_RESPONSE",
    message: new RegExp(`more than ${MAX_BODY_BYTES} bytes`),
    retried: false,
  },
  {
    name: "401",
    fault: (under) => under.status(401),
    code: "UPSTREAM_UNAUTHORIZED",
    message: /credentials/,
    retried: false,
  },
];

describe.each(PROVIDERS)("a $provider read", (under) => {
  const listRequests = (count: number) => Array.from({ length: count }, () => `GET ${under.listPath}`);

  it.each(READ_FAULTS)(
    "meeting $name fails typed ($code), is retried: $retried, and the gateway carries on",
    async ({ fault, code, message, retried }) => {
      const fake = await seeded(harness, under);
      // A retried fault meets every attempt; any other meets the first, so a wrong retry would succeed.
      const attempts = retried ? ATTEMPTS : 1;
      fake.failNext(fault(under), attempts);

      const result = await execute(harness.gateway(), under.list);

      expect(result.data.list).toBeNull();
      expect(onlyError(result)).toEqual({ code, provider: under.provider });
      expect(result.errors?.[0]?.message).toMatch(message);
      expect(received(fake)).toEqual(listRequests(attempts));
      await expectAlive(harness.gateway());
      expect(listed(await executeOk(harness.gateway(), under.list))).toEqual([SEEDED_NAME]);
    },
  );

  it.each(READ_FAULTS.filter((row) => row.retried))(
    "meeting $name once is answered by the retry",
    async ({ fault }) => {
      const fake = await seeded(harness, under);
      fake.failNext(fault(under));

      const data = await executeOk(harness.gateway(), under.list);

      expect(listed(data)).toEqual([SEEDED_NAME]);
      expect(received(fake)).toEqual(listRequests(2));
    },
  );
});
