import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeResponse } from "./exchange.ts";
import {
  type FakeServer,
  RETRY_HINTS,
  RUNAWAY_PAGES,
  type RunawayPaging,
  startFakeServer,
  status,
  tooManyRequests,
} from "./fake-server.ts";
import { type FakeFreeAgent, freeAgentStatus, startFakeFreeAgent } from "./freeagent.ts";
import { maxInWindow } from "./meter.ts";
import { type FakeMoneybird, moneybirdStatus, startFakeMoneybird } from "./moneybird.ts";
import { type FakeProductive, productiveStatus, startFakeProductive } from "./productive.ts";

/** The base every fake upstream is built on: its faults, latency, meter and reset, whatever the provider. */

let server: FakeServer;
let handled = 0;
let resets = 0;

beforeEach(async () => {
  handled = 0;
  resets = 0;
  server = await startFakeServer(
    () => {
      handled += 1;
      return { status: 200, body: { ok: true } };
    },
    {
      reset: () => {
        resets += 1;
      },
    },
  );
});
afterEach(() => server.close());

const url = () => `${server.origin}/things?page=2`;
const get = async () => {
  const response = await fetch(url());
  return [response.status, await response.text()];
};

/** Whether `promise` is still unsettled after `ms`. */
const pendingAfter = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => false), sleep(ms).then(() => true)]);

describe("startFakeServer", () => {
  it("gives the next `count` requests the fault instead of the answer, and records them like any other", async () => {
    server.failNext({ status: 503, headers: { "retry-after": "5" }, body: "down" }, 2);

    expect(await Promise.all([get(), get()])).toEqual([
      [503, "down"],
      [503, "down"],
    ]);
    expect(await get()).toEqual([200, '{"ok":true}']);
    expect(server.requests.map((request) => [request.method, request.path, `${request.query}`])).toEqual([
      ["GET", "/things", "page=2"],
      ["GET", "/things", "page=2"],
      ["GET", "/things", "page=2"],
    ]);
    expect(handled).toBe(1);
  });

  it("stamps each request with the time it arrived", async () => {
    const before = performance.now();
    await get();
    const after = performance.now();

    expect(server.requests[0]?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(server.requests[0]?.receivedAt).toBeLessThanOrEqual(after);
  });

  it("forgets requests, faults and latency on reset, and has the fake restore its own state", async () => {
    await get();
    server.failNext({ status: 500 });
    server.setLatency(30_000);

    server.reset();

    expect(await get()).toEqual([200, '{"ok":true}']);
    expect(server.requests).toHaveLength(1);
    expect(resets).toBe(1);
  });

  it("cuts off on reset an exchange a fault still holds open", async () => {
    server.failNext({ kind: "stalledBody" });
    const response = await fetch(url());

    server.reset();

    await expect(response.text()).rejects.toThrow(TypeError);
    expect(await get()).toEqual([200, '{"ok":true}']);
  });

  it("closes at once with a body stalled and headers held back", async () => {
    const own = await startFakeServer(() => ({ status: 200 }));
    own.failNext({ kind: "stalledBody" });
    const stalled = await fetch(own.origin);
    own.failNext({ kind: "slowHeaders", ms: 60_000 });
    const slow = fetch(own.origin).catch((error: unknown) => error);
    while (own.requests.length < 2) await sleep(5);

    const started = performance.now();
    await own.close();

    expect(performance.now() - started).toBeLessThan(500);
    await expect(stalled.text()).rejects.toThrow(TypeError);
    expect(await slow).toBeInstanceOf(TypeError);
  });
});

describe("canned statuses", () => {
  it.each([500, 502, 503, 504, 401])("answers %i with its reason phrase as a proxy would", async (code) => {
    server.failNext(status(code));

    const response = await fetch(url());

    expect(response.status).toBe(code);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toMatch(/^[A-Z][A-Za-z ]+$/);
  });

  it("says when to come back in each form a 429 takes", async () => {
    const now = Date.now() / 1000;
    const inTwoSeconds = (value: number) => {
      expect(value).toBeGreaterThanOrEqual(Math.floor(now + 2));
      expect(value).toBeLessThanOrEqual(Math.ceil(now + 3));
    };
    const [none, seconds, date, epoch, reset] = RETRY_HINTS.map((hint) => tooManyRequests(hint, 2));

    expect([none, seconds, date, epoch, reset].map((response) => response?.status)).toEqual([
      429, 429, 429, 429, 429,
    ]);
    expect(none?.headers).toEqual({});
    expect(seconds?.headers).toEqual({ "retry-after": "2" });
    const httpDate = date?.headers?.["retry-after"] ?? "";
    expect(httpDate).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    inTwoSeconds(Date.parse(httpDate) / 1000);
    inTwoSeconds(Number(epoch?.headers?.["retry-after"]));
    expect(reset?.headers).toMatchObject({ "ratelimit-limit": "100", "ratelimit-remaining": "0" });
    inTwoSeconds(Number(reset?.headers?.["ratelimit-reset"]));
  });
});

describe("transport faults", () => {
  it("slowHeaders: sends nothing for `ms`, then the fake's own answer, even to a client that gave up", async () => {
    server.failNext({ kind: "slowHeaders", ms: 200 });
    await expect(fetch(url(), { signal: AbortSignal.timeout(50) })).rejects.toThrow(/timeout/i);
    expect(handled).toBe(0);
    await sleep(250);
    expect(handled).toBe(1);

    server.failNext({ kind: "slowHeaders", ms: 100 });
    const started = performance.now();
    expect(await get()).toEqual([200, '{"ok":true}']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
  });

  it("stalledBody: headers and the first bytes arrive, the rest never does until the client aborts", async () => {
    server.failNext({ kind: "stalledBody", afterBytes: 10 });
    const abort = new AbortController();
    const response = await fetch(url(), { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();

    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"data":[{');
    const rest = reader.read();
    expect(await pendingAfter(rest, 200)).toBe(true);

    abort.abort();
    await expect(rest).rejects.toThrow(/abort/i);
  });

  it("stalledBody with no bytes: the headers arrive alone", async () => {
    server.failNext({ kind: "stalledBody", afterBytes: 0 });
    const abort = new AbortController();
    const response = await fetch(url(), { signal: abort.signal });

    expect(await pendingAfter(response.text(), 100)).toBe(true);
    abort.abort();
  });

  it("reset: the request fails with no response, and is recorded", async () => {
    server.failNext({ kind: "reset" });

    await expect(fetch(url())).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(1);
    expect(await get()).toEqual([200, '{"ok":true}']);
  });

  it("malformedJson: a complete 200 JSON answer that does not parse", async () => {
    server.failNext({ kind: "malformedJson" });

    const response = await fetch(url());

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    const text = await response.text();
    expect(text).toMatch(/^\{"data":\[/);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it("html200: a 200 HTML page", async () => {
    server.failNext({ kind: "html200" });

    const response = await fetch(url());

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/^<html>.*<\/html>$/s);
  });

  it("oversized: a valid JSON document of at least `bytes` bytes, with no length announced", async () => {
    server.failNext({ kind: "oversized", bytes: 300_000 });

    const response = await fetch(url());

    expect(response.headers.get("content-length")).toBeNull();
    const text = await response.text();
    expect(text.length).toBeGreaterThanOrEqual(300_000);
    expect(text.length).toBeLessThan(300_200);
    expect((JSON.parse(text) as { data: unknown[] }).data.length).toBeGreaterThan(1_000);
  });

  it("oversized: streamed, so a client can stop reading a gigabyte after the first megabyte", async () => {
    server.failNext({ kind: "oversized", bytes: 2 ** 30 });
    const response = await fetch(url());
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();

    let received = 0;
    while (received < 2 ** 20) received += (await reader.read()).value?.length ?? 0;
    await reader.cancel();

    expect(received).toBeLessThan(2 ** 22);
    expect(await get()).toEqual([200, '{"ok":true}']);
  });
});

describe("maxInWindow", () => {
  const at = (...times: number[]) => times.map((receivedAt) => ({ receivedAt }));

  it("counts the busiest interval [t, t + window) starting at a request, in any order", () => {
    expect(maxInWindow(at(11.5, 0, 10, 1, 25, 2, 10.5, 11), 10)).toBe(5);
  });

  it("leaves out a request exactly one window later, and counts nothing in no requests", () => {
    expect(maxInWindow(at(0, 10), 10)).toBe(1);
    expect(maxInWindow(at(0, 10), 10.001)).toBe(2);
    expect(maxInWindow([], 10)).toBe(0);
  });

  it("meters what a fake received", async () => {
    await Promise.all([get(), get(), get()]);
    await sleep(300);
    await get();

    expect(maxInWindow(server.requests, 200)).toBe(3);
    expect(maxInWindow(server.requests, 10_000)).toBe(4);
  });
});

/** Each provider's fake, with one record seeded and a way to read page `n` of its list. */
interface ProviderFake {
  fake: FakeServer & RunawayPaging;
  /** The provider's `…Status` helper: a failure in its own error shape. */
  status(code: number): FakeResponse;
  seed(): Promise<void>;
  page(n: number): Promise<{ records: number; claimsNext: boolean; claimedPages?: number }>;
}

/** The page number a response's `Link` header gives as rel="next", NaN when there is none. */
const nextPageLinked = (response: Response) =>
  Number(/[?&]page=(\d+)[^>]*>; rel="next"/.exec(response.headers.get("link") ?? "")?.[1]);

const providers: Record<string, () => Promise<ProviderFake>> = {
  productive: async () => {
    const fake: FakeProductive = await startFakeProductive();
    const headers = { "x-auth-token": fake.config.apiToken, "x-organization-id": fake.config.organizationId };
    return {
      fake,
      status: productiveStatus,
      seed: async () => {
        fake.addCompany({ name: "Acme" });
      },
      page: async (n) => {
        const response = await fetch(`${fake.origin}/api/v2/companies?page[number]=${n}&page[size]=2`, {
          headers,
        });
        const { data, meta } = (await response.json()) as {
          data: unknown[];
          meta: { current_page: number; total_pages: number };
        };
        return {
          records: data.length,
          claimsNext: meta.current_page < meta.total_pages,
          claimedPages: meta.total_pages,
        };
      },
    };
  },
  moneybird: async () => {
    const fake: FakeMoneybird = await startFakeMoneybird();
    const contacts = `${fake.origin}/api/v2/${fake.config.administrationId}/contacts.json`;
    const authorization = `Bearer ${fake.config.apiToken}`;
    return {
      fake,
      status: moneybirdStatus,
      seed: async () => {
        await fetch(contacts, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify({ contact: { company_name: "Acme" } }),
        });
      },
      page: async (n) => {
        const response = await fetch(`${contacts}?page=${n}&per_page=2`, { headers: { authorization } });
        return {
          records: ((await response.json()) as unknown[]).length,
          claimsNext: nextPageLinked(response) === n + 1,
        };
      },
    };
  },
  freeAgent: async () => {
    const fake: FakeFreeAgent = await startFakeFreeAgent();
    const headers = {
      authorization: `Bearer ${fake.config.accessToken}`,
      accept: "application/json",
      "user-agent": "fake-server.test",
    };
    return {
      fake,
      status: freeAgentStatus,
      seed: async () => {
        fake.seed({ organisation_name: "Acme" });
      },
      page: async (n) => {
        const response = await fetch(`${fake.origin}/v2/contacts?page=${n}`, { headers });
        return {
          records: ((await response.json()) as { contacts: unknown[] }).contacts.length,
          claimsNext: nextPageLinked(response) === n + 1,
          claimedPages: Number(response.headers.get("x-total-count")) / 25,
        };
      },
    };
  },
};

describe.each(Object.entries(providers))("the %s fake", (_name, start) => {
  let provider: ProviderFake;
  beforeAll(async () => {
    provider = await start();
  });
  beforeEach(() => provider.fake.reset());
  afterAll(() => provider.fake.close());

  it("takes the faults of the base through the same failNext", async () => {
    const { fake } = provider;
    fake.failNext(provider.status(503));
    fake.failNext({ kind: "html200" });
    fake.failNext({ kind: "reset" });

    const failed = await fetch(`${fake.origin}/any/path`);
    expect([failed.status, await failed.json()]).toEqual([503, provider.status(503).body]);
    expect((await fetch(fake.origin)).headers.get("content-type")).toMatch(/^text\/html/);
    await expect(fetch(fake.origin)).rejects.toThrow(TypeError);
    expect(fake.requests).toHaveLength(3);
  });

  it("claims a next page on every page while runaway pages are on, repeating its records", async () => {
    await provider.seed();
    provider.fake.claimRunawayPages(true);

    for (const n of [1, 2, 999_999]) {
      const page = await provider.page(n);
      expect(page).toMatchObject({ records: 1, claimsNext: true });
      if (page.claimedPages !== undefined) expect(page.claimedPages).toBe(RUNAWAY_PAGES);
    }
    provider.fake.claimRunawayPages(false);
    expect(await provider.page(1)).toMatchObject({ records: 1, claimsNext: false });
  });

  it("stops claiming runaway pages on reset", async () => {
    provider.fake.claimRunawayPages(true);

    provider.fake.reset();
    await provider.seed();

    expect(await provider.page(1)).toMatchObject({ records: 1, claimsNext: false });
  });
});
