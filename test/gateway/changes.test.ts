import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { Gateway } from "../../src/gateway.ts";
import { createGateway } from "../../src/gateway.ts";
import { encodeGlobalId } from "../../src/schema/global-id.ts";
import type { StoreChangeSource } from "../../src/store/changes.ts";
import { mutate, mutationDocument, useGateway } from "../support/gateway.ts";
import { execute, executeOk } from "../support/graphql.ts";
import { quietLogger } from "../support/logging.ts";
import { useTestDatabase } from "../support/postgres.ts";

const gateway = useGateway("each");

/** The newest position of the gateway's feed (a seeded store's begins with its seed). */
async function newest(g: Gateway): Promise<string> {
  const changes = g.sources.changes;
  if (!changes) throw new Error("the gateway has no change feed");
  let after: number | null = null;
  for (;;) {
    const page = await changes.list(after, 100);
    after = page.changes.at(-1)?.sequence ?? after;
    if (!page.hasNextPage) return String(after ?? 0);
  }
}

const CHANGES = `
  query ($since: String, $first: Int) {
    changes(since: $since, first: $first) {
      edges { cursor node { id kind provider nodeId typename at node { id __typename ... on Contact { displayName } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

const freeAgentId = (id: string) => encodeGlobalId("FreeAgentContact", id);

describe("changes", () => {
  it("lists what gateway writes changed, in order, with each node as it is now and null once deleted", async () => {
    const since = await newest(gateway());
    const created = await mutate(gateway(), mutationDocument("createContact", "input", "contact { id }"), {
      input: { provider: "FREEAGENT", companyName: "Feed Ltd" },
    });
    const kept = await gateway().sources.freeAgentContacts.create({ companyName: "Kept Ltd" });
    await gateway().sources.freeAgentContacts.update(kept.id, { companyName: "Kept Ltd (renamed)" });
    const deleted = await mutate(gateway(), mutationDocument("deleteContact", "id", "__typename"), {
      id: created.contact.id,
    });
    expect(deleted.__typename).toBe("DeleteContactSuccess");

    const getByIds = vi.spyOn(gateway().sources.freeAgentContacts, "getByIds");
    const { changes } = await executeOk(gateway(), CHANGES, { since, first: 10 });
    const keptId = freeAgentId(kept.id);
    expect(changes.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      expect.objectContaining({
        kind: "CREATED",
        nodeId: created.contact.id,
        typename: "FreeAgentContact",
        node: null,
      }),
      expect.objectContaining({ kind: "CREATED", nodeId: keptId, provider: "FREEAGENT" }),
      expect.objectContaining({
        kind: "UPDATED",
        nodeId: keptId,
        node: expect.objectContaining({ id: keptId }),
      }),
      expect.objectContaining({ kind: "DELETED", nodeId: created.contact.id, node: null }),
    ]);
    expect(changes.edges[1].node.node).toEqual({
      id: keptId,
      __typename: "FreeAgentContact",
      displayName: "Kept Ltd (renamed)",
    });
    // Every change's node in one batch, however many changes the page holds.
    expect(getByIds).toHaveBeenCalledTimes(1);
    expect(changes.pageInfo).toEqual({ hasNextPage: false, endCursor: changes.edges[3].cursor });
    expect(changes.edges[3].cursor).toBe(changes.edges[3].node.id);
  });

  it("resumes after a change's id, an edge's cursor or a bare position, and pages with first", async () => {
    const since = await newest(gateway());
    for (const name of ["One Ltd", "Two Ltd", "Three Ltd"]) {
      await gateway().sources.freeAgentContacts.create({ companyName: name });
    }
    const first = (await executeOk(gateway(), CHANGES, { since, first: 2 })).changes;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = (await executeOk(gateway(), CHANGES, { since: first.pageInfo.endCursor })).changes;
    expect(
      rest.edges.map((e: { node: { node: { displayName: string } } }) => e.node.node.displayName),
    ).toEqual(["Three Ltd"]);
    const bare = (await executeOk(gateway(), CHANGES, { since: String(Number(since) + 2) })).changes;
    expect(bare.edges.map((e: { cursor: string }) => e.cursor)).toEqual(
      rest.edges.map((e: { cursor: string }) => e.cursor),
    );
  });

  it("refuses a malformed position, and one whose changes are no longer kept", async () => {
    for (const since of ["-1", "abc", encodeGlobalId("Company", "1"), "99999999999999999999"]) {
      const { errors } = await execute(gateway(), CHANGES, { since });
      expect(errors?.[0]?.extensions?.code, since).toBe("BAD_USER_INPUT");
    }
    await (gateway().sources.changes as StoreChangeSource).prune(Date.now() + 1_000);
    const { data, errors } = await execute(gateway(), CHANGES, { since: "1" });
    expect(data).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe("CHANGES_EXPIRED");
    expect(errors?.[0]?.message).toContain("read the records afresh");
  });
});

describe("Subscription.changes over Server-Sent Events", () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** The gateway on a real loopback port: its /graphql URL. */
  async function listen(g: Gateway): Promise<string> {
    server = createServer(g.yoga);
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }

  /** The `next` events' payloads of an SSE response, as they arrive. */
  async function* events(
    response: Response,
  ): AsyncGenerator<{ data?: { changes: Record<string, unknown> } }> {
    const decoder = new TextDecoder();
    let text = "";
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      let end = text.indexOf("\n\n");
      while (end >= 0) {
        const message = text.slice(0, end);
        text = text.slice(end + 2);
        if (/^event: next$/m.test(message)) yield JSON.parse(/^data: (.*)$/m.exec(message)?.[1] ?? "null");
        end = text.indexOf("\n\n");
      }
    }
  }

  async function subscribe(url: string, since: string | null, signal: AbortSignal) {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({
        query: `subscription ($since: String) { changes(since: $since) { kind typename nodeId node { id ... on Contact { displayName } } } }`,
        variables: { since },
      }),
      signal,
    });
  }

  it("streams each change as it commits, in order, with its node", { timeout: 15_000 }, async () => {
    const url = await listen(gateway());
    const abort = new AbortController();
    const response = await subscribe(url, null, abort.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const stream = events(response);
    const next = () => stream.next().then((event) => event.value?.data?.changes);

    // The subscription starts from now: once it reads, writes made after it arrive.
    const firstEvent = next();
    const contact = await gateway().sources.freeAgentContacts.create({ companyName: "Live Ltd" });
    await gateway().sources.freeAgentContacts.update(contact.id, { companyName: "Live Ltd (renamed)" });
    await gateway().sources.freeAgentContacts.delete(contact.id);
    const id = freeAgentId(contact.id);
    expect(await firstEvent).toEqual({
      kind: "CREATED",
      typename: "FreeAgentContact",
      nodeId: id,
      // Read when the event is sent, as the node is then.
      node: expect.toBeOneOf([null, { id, displayName: expect.any(String) }]),
    });
    expect(await next()).toMatchObject({ kind: "UPDATED", nodeId: id });
    expect(await next()).toEqual({ kind: "DELETED", typename: "FreeAgentContact", nodeId: id, node: null });
    abort.abort();
  });

  it("replays the changes after `since` before the live ones", { timeout: 15_000 }, async () => {
    const since = await newest(gateway());
    const before = await gateway().sources.freeAgentContacts.create({ companyName: "Before Ltd" });
    const url = await listen(gateway());
    const abort = new AbortController();
    const stream = events(await subscribe(url, since, abort.signal));
    const next = () => stream.next().then((event) => event.value?.data?.changes);
    expect(await next()).toEqual({
      kind: "CREATED",
      typename: "FreeAgentContact",
      nodeId: freeAgentId(before.id),
      node: { id: freeAgentId(before.id), displayName: "Before Ltd" },
    });
    const pending = next();
    const after = await gateway().sources.freeAgentContacts.create({ companyName: "After Ltd" });
    expect(await pending).toMatchObject({ kind: "CREATED", nodeId: freeAgentId(after.id) });
    abort.abort();
  });

  it("answers an expired `since` with an error event instead of a gap", { timeout: 15_000 }, async () => {
    await (gateway().sources.changes as StoreChangeSource).prune(Date.now() + 1_000);
    const url = await listen(gateway());
    const abort = new AbortController();
    const response = await subscribe(url, "1", abort.signal);
    const body = await response.text();
    expect(body).toContain("CHANGES_EXPIRED");
    abort.abort();
  });
});

describe("Subscription.changes across instances on one PostgreSQL store", () => {
  const databaseUrl = useTestDatabase();
  const opened: Gateway[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    for (const g of opened.splice(0)) await g.close();
  });

  it("delivers a write through one instance to the other's subscribers", { timeout: 30_000 }, async () => {
    const open = async () => {
      const g = await createGateway({
        config: loadConfig({ STORE_URL: databaseUrl() }),
        logger: quietLogger,
      });
      opened.push(g);
      return g;
    };
    const [subscribed, writing] = [await open(), await open()];
    const server = createServer(subscribed.yoga);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const abort = new AbortController();
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ query: "subscription { changes { kind nodeId node { id } } }" }),
      signal: abort.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const contact = await writing.sources.freeAgentContacts.create({ companyName: "Elsewhere Ltd" });
    let text = "";
    while (!text.includes("event: next")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const id = freeAgentId(contact.id);
    expect(text).toContain(JSON.stringify({ kind: "CREATED", nodeId: id, node: { id } }));
    abort.abort();
  });
});
