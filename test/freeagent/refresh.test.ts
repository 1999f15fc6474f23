import { afterEach, describe, expect, it } from "vitest";
import { UpstreamError } from "../../src/errors.ts";
import { createFreeAgentSources } from "../../src/sources/freeagent/index.ts";
import { type FakeFreeAgent, startFakeFreeAgent } from "../fakes/freeagent.ts";

/** The OAuth refresh-and-replay, end to end against the fake FreeAgent's token endpoint. */

const CLIENT = { clientId: "gateway-client", clientSecret: "s3cret" };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function setup(options: { refresh?: boolean; rotateRefreshToken?: boolean } = {}) {
  const fake = await startFakeFreeAgent({
    ...CLIENT,
    rotateRefreshToken: options.rotateRefreshToken ?? true,
  });
  const config = options.refresh === false ? { ...fake.config, refresh: null } : fake.config;
  const live = createFreeAgentSources(config, { timeoutMs: 2_000 });
  closers.push(live.close, fake.close);
  const ids = [fake.seed({ organisation_name: "One" }), fake.seed({ organisation_name: "Two" })];
  return { fake, source: live.freeAgentContacts, ids };
}

const bearer = (fake: FakeFreeAgent) => fake.contactRequests().map((r) => r.headers.authorization);

describe("FreeAgent OAuth refresh", () => {
  it("refreshes an expired token once, with HTTP Basic and a form body, and replays the request", async () => {
    const { fake, source, ids } = await setup();
    fake.expireAccessToken();

    const [contact] = await source.getByIds([ids[0] as string]);

    expect(contact?.companyName).toBe("One");
    const [token] = fake.tokenRequests();
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(token?.headers.authorization).toBe(
      `Basic ${Buffer.from("gateway-client:s3cret").toString("base64")}`,
    );
    expect(token?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(token?.body as string))).toEqual({
      grant_type: "refresh_token",
      refresh_token: "refresh-0",
    });
    expect(bearer(fake)).toEqual(["Bearer access-0", "Bearer access-1"]);
  });

  it("shares one refresh between concurrent requests that meet the expired token", async () => {
    const { fake, source, ids } = await setup();
    fake.expireAccessToken();

    const results = await Promise.all([
      source.getByIds(ids),
      source.list({}, { offset: 0, limit: 10 }),
      // Not a GET identical to one in flight (those share one call): a list of another size.
      source.list({}, { offset: 0, limit: 1 }),
      source.update(ids[0] as string, { email: "one@example.com" }),
    ]);

    expect(fake.tokenRequests()).toHaveLength(1);
    expect(results[1].totalCount).toBe(2);
    expect(fake.record(ids[0] as string)?.email).toBe("one@example.com");
    // Each of the five first attempts met the expired token; each was replayed once with the new one.
    expect(bearer(fake).filter((header) => header === "Bearer access-0")).toHaveLength(5);
    expect(bearer(fake).filter((header) => header === "Bearer access-1")).toHaveLength(6);
  });

  it("keeps a rotated refresh token for the next refresh, and the old one when none is returned", async () => {
    for (const rotate of [true, false]) {
      const { fake, source, ids } = await setup({ rotateRefreshToken: rotate });
      fake.expireAccessToken();
      await source.getByIds(ids);
      fake.expireAccessToken();
      await source.getByIds(ids);

      const sentRefreshTokens = fake
        .tokenRequests()
        .map((r) => new URLSearchParams(r.body as string).get("refresh_token"));
      expect(sentRefreshTokens).toEqual(rotate ? ["refresh-0", "refresh-1"] : ["refresh-0", "refresh-0"]);
    }
  });

  it("turns a refused refresh into UNAUTHORIZED and does not ask again", async () => {
    const { fake, source, ids } = await setup();
    fake.expireAccessToken();
    fake.failTokenRefresh(true);

    const failures = await Promise.all(
      [source.getByIds(ids), source.list({}, { offset: 0, limit: 5 })].map((p) => p.catch((e: unknown) => e)),
    );
    const later = await source.getByIds(ids).catch((e: unknown) => e);

    for (const error of [...failures, later]) {
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ provider: "FREEAGENT", code: "UNAUTHORIZED" });
    }
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(String((later as Error).message)).not.toContain("refresh-0");
  });

  it("fails with UNAUTHORIZED and no token call when no refresh credentials are configured", async () => {
    const { fake, source, ids } = await setup({ refresh: false });
    fake.expireAccessToken();

    await expect(source.getByIds(ids)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(fake.tokenRequests()).toHaveLength(0);
  });

  it("keeps the tokens across the fake's reset, which empties it and lifts a refused refresh", async () => {
    const { fake, source, ids } = await setup();
    fake.expireAccessToken();
    await source.getByIds(ids);
    fake.failTokenRefresh(true);

    fake.reset();
    const afterReset = await source.getByIds(ids);
    fake.expireAccessToken();
    await source.getByIds(ids);

    expect(afterReset).toEqual([null, null]);
    // The reset kept access-1 working for both reads; expired, it cost both a 401, a refresh and a replay.
    expect(bearer(fake).filter((header) => header === "Bearer access-1")).toHaveLength(4);
    expect(bearer(fake).filter((header) => header === "Bearer access-2")).toHaveLength(2);
    expect(fake.tokenRequests()).toHaveLength(1);
  });
});
