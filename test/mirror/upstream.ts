import type { Provider } from "../../src/domain/common.ts";
import type { Fakes, FaultHarness } from "../faults/harness.ts";

/**
 * Changes made upstream, straight at the fakes' APIs (not through the gateway): what another tool
 * or a person in the provider's own app would do, which the mirror must pick up.
 */

type Json = Record<string, unknown>;

async function send(
  origin: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body?: Json,
) {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { accept: "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return (text ? JSON.parse(text) : null) as Json;
}

/** The changes, for the fakes given: each provider's are used only with its fake. */
export function upstreamOf(fakes: Partial<Fakes>) {
  const fake = <P extends keyof Fakes>(provider: P): Fakes[P] => {
    const found = fakes[provider];
    if (!found) throw new Error(`no ${provider} fake`);
    return found;
  };
  const productive = (path: string, method: string, body?: Json) => {
    const { origin, config } = fake("PRODUCTIVE");
    const headers = {
      "x-auth-token": config.apiToken,
      "x-organization-id": config.organizationId,
      "content-type": "application/vnd.api+json",
    };
    return send(origin, `/api/v2/${path}`, method, headers, body);
  };
  const moneybird = (path: string, method: string, body?: Json) => {
    const { origin, config } = fake("MONEYBIRD");
    const headers = { authorization: `Bearer ${config.apiToken}`, "content-type": "application/json" };
    return send(origin, `/api/v2/${config.administrationId}/contacts${path}.json`, method, headers, body);
  };
  const freeAgent = (id: string, method: string, body?: Json) => {
    const { origin, config } = fake("FREEAGENT");
    const headers = {
      authorization: `Bearer ${config.accessToken}`,
      "content-type": "application/json",
      "user-agent": "mirror-test",
    };
    return send(origin, `/v2/contacts/${id}`, method, headers, body);
  };
  return {
    updateCompany: (id: string, attributes: Json) =>
      productive(`companies/${id}`, "PATCH", { data: { type: "companies", attributes } }),
    deleteContactEntry: (id: string) => productive(`contact_entries/${id}`, "DELETE"),
    async createMoneybirdContact(contact: Json): Promise<string> {
      return String((await moneybird("", "POST", { contact })).id);
    },
    updateMoneybirdContact: (id: string, contact: Json) => moneybird(`/${id}`, "PATCH", { contact }),
    deleteMoneybirdContact: (id: string) => moneybird(`/${id}`, "DELETE"),
    updateFreeAgentContact: (id: string, contact: Json) => freeAgent(id, "PUT", { contact }),
    deleteFreeAgentContact: (id: string) => freeAgent(id, "DELETE"),
  };
}

const PROVIDERS: Provider[] = ["PRODUCTIVE", "MONEYBIRD", "FREEAGENT"];

/** How many requests each fake has received so far. */
export const requestCounts = (harness: FaultHarness) =>
  PROVIDERS.map((provider) => harness.fakes()[provider].requests.length);

/** The requests the fakes received since `before` that a client's query caused, not a sync round. */
export function clientRequestsSince(harness: FaultHarness, before: number[]): string[] {
  return PROVIDERS.flatMap((provider, index) =>
    harness
      .fakes()
      [provider].requests.slice(before[index])
      .filter((request) => !String(request.headers["x-request-id"] ?? "").startsWith("mirror-"))
      .map((request) => `${provider} ${request.method} ${request.path}`),
  );
}
