import { afterEach, beforeEach, expect } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Provider } from "../../src/domain/common.ts";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/gateway.ts";
import type { UpstreamRequestEvent } from "../../src/http/upstream-client.ts";
import type { Logger } from "../../src/ops/logger.ts";
import { type FakeResponse, unreachedRateLimitsEnv } from "../fakes/exchange.ts";
import type { FakeServer, RunawayPaging } from "../fakes/fake-server.ts";
import { type FakeFreeAgent, freeAgentStatus, startFakeFreeAgent } from "../fakes/freeagent.ts";
import { type FakeMoneybird, moneybirdStatus, startFakeMoneybird } from "../fakes/moneybird.ts";
import { type FakeProductive, productiveStatus, startFakeProductive } from "../fakes/productive.ts";
import { executeOk, type GraphQLResponse } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";

/**
 * What the fault tests share: fresh fakes and a fresh gateway for each test, all three providers
 * live against the fakes (so no local store is opened and a gateway starts in milliseconds; rate
 * budgets, pauses, breakers and retry tokens live per gateway, so no test inherits another's), and
 * each provider's list read and create as a table row.
 */

export const UPSTREAM_TIMEOUT_MS = 300;
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_RETRIES = 2;
/** The requests one read makes when every attempt meets a fault that is retried. */
export const ATTEMPTS = 1 + MAX_RETRIES;

/** Small timeouts and cap, so that every fault is over in a fraction of a second. */
const FAULT_ENV = {
  UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
  UPSTREAM_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  UPSTREAM_MAX_RETRIES: String(MAX_RETRIES),
  UPSTREAM_RETRY_BASE_MS: "10",
  REQUEST_TIMEOUT_MS: "5000",
  // More than one read's attempts: a fault and its retries leave the breaker closed for the next query.
  BREAKER_FAILURES: String(ATTEMPTS + 2),
};

export interface Fakes {
  PRODUCTIVE: FakeProductive;
  MONEYBIRD: FakeMoneybird;
  FREEAGENT: FakeFreeAgent;
}

function liveEnv(fakes: Fakes): Record<string, string> {
  const { PRODUCTIVE: productive, MONEYBIRD: moneybird, FREEAGENT: freeAgent } = fakes;
  return {
    PRODUCTIVE_API_TOKEN: productive.config.apiToken,
    PRODUCTIVE_ORGANIZATION_ID: productive.config.organizationId,
    PRODUCTIVE_BASE_URL: productive.origin,
    PRODUCTIVE_RATE_LIMITS: unreachedRateLimitsEnv("PRODUCTIVE"),
    MONEYBIRD_API_TOKEN: moneybird.config.apiToken,
    MONEYBIRD_ADMINISTRATION_ID: moneybird.config.administrationId,
    MONEYBIRD_BASE_URL: moneybird.origin,
    MONEYBIRD_RATE_LIMITS: unreachedRateLimitsEnv("MONEYBIRD"),
    // No refresh credentials: FreeAgent's 401 reaches the client as it is (refresh.test.ts covers the refresh).
    FREEAGENT_ACCESS_TOKEN: freeAgent.config.accessToken,
    FREEAGENT_BASE_URL: freeAgent.origin,
    FREEAGENT_RATE_LIMITS: unreachedRateLimitsEnv("FREEAGENT"),
  };
}

export interface FaultHarness {
  fakes(): Fakes;
  gateway(): Gateway;
  /** What the gateways' upstream hook observed, in order. */
  events(): UpstreamRequestEvent[];
}

/**
 * Three fakes of its own and a gateway over them, with `env` over the fault settings, logging
 * to `logger` and its spans to `spanProcessor` (with tracing configured), for one test: nothing is shared, so tests may run side by side (`it.concurrent`).
 * `close` ends them and fails the test if the Moneybird fake saw an exchange, faults aside, that
 * broke its OpenAPI document.
 */
export async function openFaultHarness(
  env: Record<string, string> = {},
  logger: Logger = quietLogger,
  {
    spanProcessor,
    seed,
  }: Pick<GatewayOptions, "spanProcessor"> & {
    /** Fills the fakes before the gateway starts (a mirror's first round then finds the records). */
    seed?: (fakes: Fakes) => void;
  } = {},
): Promise<FaultHarness & { close(): Promise<void> }> {
  const [productive, moneybird, freeAgent] = await Promise.all([
    startFakeProductive(),
    startFakeMoneybird(),
    startFakeFreeAgent(),
  ]);
  const fakes: Fakes = { PRODUCTIVE: productive, MONEYBIRD: moneybird, FREEAGENT: freeAgent };
  seed?.(fakes);
  const events: UpstreamRequestEvent[] = [];
  const gateway = await createGateway({
    logger,
    config: loadConfig({ STORE_URL: ":memory:", ...liveEnv(fakes), ...FAULT_ENV, ...env }),
    upstream: { onRequest: (event) => events.push(event) },
    spanProcessor,
  });
  return {
    fakes: () => fakes,
    gateway: () => gateway,
    events: () => events,
    async close() {
      await gateway.close();
      await Promise.all(Object.values(fakes).map((fake) => fake.close()));
      expect(moneybird.violations).toEqual([]);
    },
  };
}

/** A fault harness of its own for a test that runs beside others, closed when the test finishes. */
export async function concurrentFaultHarness(
  onTestFinished: (close: () => Promise<void>) => void,
): Promise<FaultHarness> {
  const harness = await openFaultHarness();
  onTestFinished(() => harness.close());
  return harness;
}

/** A fault harness for each test of the file (or of the `describe` it is called in). */
export function useFaultHarness(env: Record<string, string> = {}): FaultHarness {
  let current: Awaited<ReturnType<typeof openFaultHarness>> | undefined;
  beforeEach(async () => {
    current = await openFaultHarness(env);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  const open = () => {
    if (!current) throw new Error("the fault harness is only open inside a test");
    return current;
  };
  return { fakes: () => open().fakes(), gateway: () => open().gateway(), events: () => open().events() };
}

/** The name of the one record `seed` stores, which a provider's `list` then finds. */
export const SEEDED_NAME = "Seeded Ltd";

/** One provider as the fault tables see it. */
export interface ProviderUnderFault<P extends Provider = Provider> {
  provider: P;
  /** Its documented shortest rate window: the pause a 429 without a hint asks for. */
  shortestWindowSeconds: number;
  /** A failure status with the provider's own error body. */
  status(code: number): FakeResponse;
  fake(fakes: Fakes): FakeServer & RunawayPaging;
  /** Stores one record named SEEDED_NAME at the fake (through the gateway where the fake has no seeding of its own). */
  seed(fakes: Fakes, gateway: Gateway): Promise<void>;
  /** A page of the provider's list, aliased `list`, with `name` on each node: one upstream GET. */
  list: string;
  /** The upstream path `list` reads. */
  listPath: string;
  /** Creates a record named "Created": one upstream POST to `listPath`. */
  create: { field: string; inputType: string; input: Record<string, unknown> };
}

const contactList = (provider: Provider) =>
  `{ list: contacts(filter: { providers: [${provider}] }, first: 5) { edges { node { name: displayName } } } }`;
const contactCreate = (provider: Provider) => ({
  field: "createContact",
  inputType: "CreateContactInput",
  input: { provider, companyName: "Created" },
});

export const PRODUCTIVE: ProviderUnderFault<"PRODUCTIVE"> = {
  provider: "PRODUCTIVE",
  shortestWindowSeconds: 10,
  status: productiveStatus,
  fake: (fakes) => fakes.PRODUCTIVE,
  seed: async ({ PRODUCTIVE: fake }) => {
    fake.addContactEntry(fake.addCompany({ name: SEEDED_NAME }).id);
  },
  list: "{ list: companies(first: 5) { edges { node { name } } } }",
  listPath: "/api/v2/companies",
  create: { field: "createCompany", inputType: "CreateCompanyInput", input: { name: "Created" } },
};

export const MONEYBIRD: ProviderUnderFault<"MONEYBIRD"> = {
  provider: "MONEYBIRD",
  shortestWindowSeconds: 300,
  status: moneybirdStatus,
  fake: (fakes) => fakes.MONEYBIRD,
  seed: async (_fakes, gateway) => {
    await gateway.sources.moneybirdContacts.create({ companyName: SEEDED_NAME });
  },
  list: contactList("MONEYBIRD"),
  listPath: "/api/v2/123/contacts.json",
  create: contactCreate("MONEYBIRD"),
};

export const FREEAGENT: ProviderUnderFault<"FREEAGENT"> = {
  provider: "FREEAGENT",
  shortestWindowSeconds: 60,
  status: freeAgentStatus,
  fake: (fakes) => fakes.FREEAGENT,
  seed: async ({ FREEAGENT: fake }) => {
    fake.seed({ organisation_name: SEEDED_NAME });
  },
  list: contactList("FREEAGENT"),
  listPath: "/v2/contacts",
  create: contactCreate("FREEAGENT"),
};

export const PROVIDERS: ProviderUnderFault[] = [PRODUCTIVE, MONEYBIRD, FREEAGENT];

/** The provider's create, its result aliased `result`, with every field of its `UpstreamError` member. */
export const createDocument = ({ create }: ProviderUnderFault) => `
  mutation ($input: ${create.inputType}!) {
    result: ${create.field}(input: $input) {
      __typename ... on UpstreamError { message code provider writeLanded retryAfterSeconds }
    }
  }
`;

/** The provider's fake with its one record stored, and its requests (the seeding's) forgotten. */
export async function seeded(harness: FaultHarness, under: ProviderUnderFault) {
  const fake = under.fake(harness.fakes());
  await under.seed(harness.fakes(), harness.gateway());
  fake.clearRequests();
  harness.events().length = 0;
  return fake;
}

/** The names a `list` answer holds; undefined when the list failed. */
// biome-ignore lint/suspicious/noExplicitAny: the data of an ad-hoc selection, as in `execute`
export const listed = (data: any): string[] | undefined =>
  data?.list?.edges.map((edge: { node: { name: string } }) => edge.node.name);

/** The one error of a query's answer, as `errors[0].extensions`; fails unless there is exactly one. */
export function onlyError(result: GraphQLResponse<unknown>) {
  expect(result.status).toBe(200);
  expect(result.errors).toHaveLength(1);
  return result.errors?.[0]?.extensions;
}

/** The gateway still answers: whatever a fault did, it cost the process nothing. */
export async function expectAlive(gateway: Gateway): Promise<void> {
  expect(await executeOk(gateway, "{ __typename }")).toEqual({ __typename: "Query" });
}

/** Paths of what a fake received, as "METHOD path". */
export const received = (fake: FakeServer) => fake.requests.map(({ method, path }) => `${method} ${path}`);
