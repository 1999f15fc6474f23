import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import { openGateway } from "../support/gateway.ts";

/**
 * The GraphQL-over-HTTP conformance audits of graphql-http, against the gateway served on a real
 * port: every one must pass, the MUSTs as well as the SHOULDs and MAYs (each is its own test,
 * named by its requirement, so a regression names the clause it breaks).
 */

let gateway: Gateway;
let server: Server;
let url = "";

beforeAll(async () => {
  gateway = await openGateway();
  server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await gateway.close();
});

const audits = serverAudits({ url: () => url, fetchFn: fetch });

describe.each(["MUST", "SHOULD", "MAY"])("graphql-http audits: %s", (level) => {
  it.each(
    audits.filter((audit) => audit.name.startsWith(level)).map((audit) => [audit.name, audit] as const),
  )("%s", async (_name, audit) => {
    const result = await audit.fn();
    expect(result.status === "ok" ? "ok" : `${result.status}: ${result.reason}`).toBe("ok");
  });
});

it("runs every audit graphql-http has", () => {
  expect(audits.filter((audit) => /^(MUST|SHOULD|MAY) /.test(audit.name))).toHaveLength(audits.length);
});
