import { describe, expect, it } from "vitest";
import { type Fault, tooManyRequests } from "../fakes/fake-server.ts";
import { executeOk } from "../support/graphql.ts";
import {
  createDocument,
  expectAlive,
  MAX_BODY_BYTES,
  PROVIDERS,
  type ProviderUnderFault,
  received,
  UPSTREAM_TIMEOUT_MS,
  useFaultHarness,
} from "./harness.ts";

/**
 * A create that meets a fault, for each provider, through the whole gateway: it reaches the
 * provider exactly once whatever happens (creates are never retried, not even after a short 429),
 * and its result is the `UpstreamError` member with the `writeLanded` docs/errors.md promises:
 * false when refused, true when a 2xx arrived and only its body failed, null when nobody can tell.
 */

const harness = useFaultHarness();

interface WriteFault {
  name: string;
  fault(under: ProviderUnderFault): Fault;
  code: string;
  writeLanded: boolean | null;
  retryAfterSeconds?: number;
  /** What the message says, where code and writeLanded do not tell the fault from another. */
  message?: RegExp;
}

const failedWith = (status: number): WriteFault => ({
  name: String(status),
  fault: (under) => under.status(status),
  code: "UNAVAILABLE",
  writeLanded: null,
});

const WRITE_FAULTS: WriteFault[] = [
  failedWith(500),
  failedWith(502),
  failedWith(503),
  failedWith(504),
  {
    name: "429 asking for 1 s",
    fault: () => tooManyRequests("retryAfterSeconds", 1),
    code: "RATE_LIMITED",
    writeLanded: false,
    retryAfterSeconds: 1,
  },
  {
    name: "slow headers",
    fault: () => ({ kind: "slowHeaders", ms: UPSTREAM_TIMEOUT_MS * 4 }),
    code: "TIMEOUT",
    writeLanded: null,
  },
  { name: "stalled body", fault: () => ({ kind: "stalledBody" }), code: "TIMEOUT", writeLanded: true },
  { name: "connection reset", fault: () => ({ kind: "reset" }), code: "UNAVAILABLE", writeLanded: null },
  {
    name: "malformed JSON",
    fault: () => ({ kind: "malformedJson" }),
    code: "BAD_RESPONSE",
    writeLanded: true,
  },
  { name: "HTML 200", fault: () => ({ kind: "html200" }), code: "BAD_RESPONSE", writeLanded: true },
  {
    name: "oversized body",
    fault: () => ({ kind: "oversized", bytes: MAX_BODY_BYTES * 4 }),
    code: "BAD_RESPONSE",
    writeLanded: true,
    message: new RegExp(`more than ${MAX_BODY_BYTES} bytes`),
  },
  { name: "401", fault: (under) => under.status(401), code: "UNAUTHORIZED", writeLanded: false },
];

describe.each(PROVIDERS)("a $provider create", (under) => {
  it.each(WRITE_FAULTS)(
    "meeting $name is sent once and answers UpstreamError $code, writeLanded $writeLanded",
    async ({ fault, code, writeLanded, retryAfterSeconds = null, message }) => {
      const fake = under.fake(harness.fakes());
      fake.failNext(fault(under));

      const data = await executeOk(harness.gateway(), createDocument(under), { input: under.create.input });

      expect(data.result).toEqual({
        __typename: "UpstreamError",
        message: message ? expect.stringMatching(message) : expect.any(String),
        code,
        provider: under.provider,
        writeLanded,
        retryAfterSeconds,
      });
      // Nothing but the create itself: no retry, and no read-back of a record that did not parse.
      expect(received(fake)).toEqual([`POST ${under.listPath}`]);
      await expectAlive(harness.gateway());
    },
  );
});
