import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { RecordedRequest } from "../fakes/exchange.ts";
import { loadOpenApiValidator } from "../support/openapi.ts";

/** The OpenAPI check the fake Moneybird runs on every exchange: it must catch each kind of drift. */

const SPEC_COPY = new URL("../support/moneybird-contacts.openapi.json", import.meta.url);
const spec = loadOpenApiValidator(SPEC_COPY, { basePath: "/api/v2" });

// The project's shared folder (upstream docs) sits beside the clone, here and in CI.
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const sharedSpec = resolve(repoRoot, "../shared/upstream/moneybird-contacts.openapi.json");
const readJson = (file: string | URL) => JSON.parse(readFileSync(file, "utf8")) as unknown;

describe("the spec copy in test/support", () => {
  it.skipIf(!existsSync(sharedSpec))(
    `is the document in ../shared/upstream (skipped when ${sharedSpec} does not exist: no shared folder beside the clone)`,
    () => {
      expect(readJson(SPEC_COPY)).toEqual(readJson(sharedSpec));
    },
  );
});

const request = (method: string, path: string, body?: unknown, query = ""): RecordedRequest => ({
  method,
  path: `/api/v2/123/contacts${path}`,
  query: new URLSearchParams(query),
  headers: { authorization: "Bearer token" },
  body,
});
const person = {
  id: "496081406188849021",
  contact_id: "496081406184654715",
  administration_id: 123,
  firstname: "John",
  lastname: "Appleseed",
  phone: null,
  email: null,
  department: null,
  created_at: "2026-08-21T13:48:37.649Z",
  updated_at: "2026-08-21T13:48:37.649Z",
  version: 1787320117,
};
const created = { status: 201, body: person };

describe("the OpenAPI check", () => {
  it("accepts an exchange the document describes", () => {
    const sent = request("POST", "/496081406184654715/contact_people.json", {
      contact_person: { firstname: "John", lastname: "Appleseed" },
    });
    expect(spec.check(sent, created)).toEqual([]);
  });

  it("rejects a request body the operation does not take", () => {
    const unwrapped = request("POST", "/496081406184654715/contact_people.json", { firstname: "John" });
    const wrongType = request("POST", "/496081406184654715/contact_people.json", {
      contact_person: { firstname: 1 },
    });

    expect(spec.check(unwrapped, created)).toEqual([
      expect.stringContaining("request body must NOT have unevaluated properties"),
    ]);
    expect(spec.check(wrongType, created)).toEqual([
      expect.stringContaining("request body/contact_person/firstname must be string"),
    ]);
  });

  it("rejects query parameters out of range or unknown, and path ids that are not ids", () => {
    expect(spec.check(request("GET", ".json", undefined, "per_page=101"), { status: 200, body: [] })).toEqual(
      [expect.stringContaining("query parameter per_page must be <= 100")],
    );
    expect(spec.check(request("GET", ".json", undefined, "sort=name"), { status: 200, body: [] })).toEqual([
      expect.stringContaining("query parameter sort is not in the document"),
    ]);
    expect(spec.check(request("GET", "/abc.json"), { status: 404 })).toEqual([
      expect.stringContaining("path parameter id must match pattern"),
    ]);
  });

  it("rejects a request without the bearer token, and a path or method the document lacks", () => {
    expect(spec.check({ ...request("GET", "/1.json"), headers: {} }, { status: 404 })).toEqual([
      expect.stringContaining("no bearer token"),
    ]);
    expect(spec.check(request("PUT", "/1.json", {}), { status: 200 })).toEqual([
      expect.stringContaining("no operation in the document"),
    ]);
  });

  it("rejects responses of the wrong shape, undocumented statuses and missing bodies", () => {
    const sent = request("GET", "/496081406184654715/contact_people/496081406188849021.json");

    expect(spec.check(sent, { status: 200, body: { ...person, nickname: "J" } })).toEqual([
      expect.stringContaining("response 200 must NOT have unevaluated properties"),
    ]);
    expect(spec.check(sent, { status: 200 })).toEqual([expect.stringContaining("response 200 has no body")]);
    expect(spec.check(sent, { status: 422, body: {} })).toEqual([
      expect.stringContaining("status 422 is not documented"),
    ]);
    expect(spec.check(sent, { status: 404, body: { error: 1 } })).toEqual([
      expect.stringContaining("response 404"),
    ]);
  });

  it("prefers the literal path over a parameter (filter is not a contact id)", () => {
    expect(
      spec.check(request("GET", "/filter.json", undefined, "filter=first_name:henk"), {
        status: 200,
        body: [],
      }),
    ).toEqual([]);
  });
});
