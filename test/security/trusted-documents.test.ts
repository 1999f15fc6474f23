import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import codegenConfig from "../../codegen.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import { quietLogger } from "../support/logging.ts";

/**
 * Trusted documents: the example operations run by `documentId`, from the manifest codegen writes
 * for them; with TRUSTED_DOCUMENTS_ONLY nothing else runs.
 *
 * The manifest is made here, in memory, by codegen.ts's own configuration: CI runs the tests
 * before `npm run typecheck` writes examples/generated, a fresh clone has none, and a committed
 * copy could drift from examples/operations.
 */

interface GeneratedFile {
  filename: string;
  content: string;
}

const folder = mkdtempSync(join(tmpdir(), "trusted-documents-"));
let manifestPath: string;
/** Document id (as codegen writes it) and document, by operation name. */
const manifest = new Map<string, { id: string; document: string }>();

beforeAll(async () => {
  const files = (await generate({ ...codegenConfig, silent: true }, false)) as GeneratedFile[];
  const file = files.find(({ filename }) => filename.endsWith("persisted-documents.json"));
  if (!file) throw new Error("codegen.ts writes no persisted-documents.json");
  manifestPath = join(folder, "persisted-documents.json");
  writeFileSync(manifestPath, file.content);
  for (const [id, document] of Object.entries(JSON.parse(file.content) as Record<string, string>)) {
    const [operation] = parse(document).definitions;
    if (operation?.kind === "OperationDefinition" && operation.name) {
      manifest.set(operation.name.value, { id, document });
    }
  }
}, 30_000);

function entryOf(operation: string) {
  const entry = manifest.get(operation);
  if (!entry) throw new Error(`no ${operation} in the manifest`);
  return entry;
}
const idOf = (operation: string) => entryOf(operation).id;

async function openTrusting(env: Record<string, string> = {}): Promise<Gateway> {
  return createGateway({
    logger: quietLogger,
    config: loadConfig({ STORE_URL: ":memory:", PERSISTED_DOCUMENTS: manifestPath, ...env }),
  });
}

async function post(gateway: Gateway, body: Record<string, unknown>) {
  const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

async function get(gateway: Gateway, parameters: Record<string, string>) {
  const response = await gateway.yoga.fetch(
    `http://gateway.test/graphql?${new URLSearchParams(parameters)}`,
    {
      headers: { accept: "application/graphql-response+json" },
    },
  );
  return { status: response.status, body: await response.json() };
}

const refusedWith = (code: string) => ({
  status: 400,
  body: { errors: [expect.objectContaining({ extensions: { code } })] },
});

it("codegen.ts writes a manifest of every example operation", () => {
  expect([...manifest.keys()].sort()).toEqual(["CompanyList", "ContactDetail", "CreateCompany"]);
  // Whether codegen prefixes "sha256:" depends on the client preset's version; the gateway takes both.
  for (const { id } of manifest.values()) expect(id).toMatch(/^(sha256:)?[0-9a-f]{64}$/);
});

describe.each([
  ["by default", {}],
  ["with TRUSTED_DOCUMENTS_ONLY", { TRUSTED_DOCUMENTS_ONLY: "true" }],
])("%s", (_mode, env) => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await openTrusting(env);
  });
  afterAll(() => gateway.close());

  it("runs an example query by its documentId, POST or GET, with or without the sha256: prefix", async () => {
    const hash = idOf("CompanyList").replace(/^sha256:/, "");
    for (const documentId of [`sha256:${hash}`, hash]) {
      const byPost = await post(gateway, { documentId, variables: { first: 2 } });
      expect(byPost.status).toBe(200);
      expect(byPost.body.data.companies.edges).toHaveLength(2);
      const byGet = await get(gateway, { documentId, variables: JSON.stringify({ first: 3 }) });
      expect(byGet.status).toBe(200);
      expect(byGet.body.data.companies.edges).toHaveLength(3);
    }
  });

  it("runs an example mutation by its documentId", async () => {
    const input = { name: "Trusted Works", domain: "trusted-works.test" };
    const { status, body } = await post(gateway, { documentId: idOf("CreateCompany"), variables: { input } });
    expect(status).toBe(200);
    expect(body.data.createCompany).toMatchObject({ __typename: "CreateCompanySuccess", company: input });
  });

  it.each([
    ["an id not in the manifest", `sha256:${"0".repeat(64)}`],
    ["an id that is no sha256", "CompanyList"],
  ])("refuses %s: PERSISTED_QUERY_NOT_FOUND", async (_what, documentId) => {
    expect(await post(gateway, { documentId })).toEqual(refusedWith("PERSISTED_QUERY_NOT_FOUND"));
    expect(await get(gateway, { documentId })).toEqual(refusedWith("PERSISTED_QUERY_NOT_FOUND"));
  });

  it("refuses a request with neither a query nor a documentId", async () => {
    expect(await post(gateway, { variables: {} })).toEqual(refusedWith("BAD_REQUEST"));
  });
});

describe("by default, ad-hoc documents run too", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await openTrusting();
  });
  afterAll(() => gateway.close());

  it("runs a query sent as text", async () => {
    const { status, body } = await post(gateway, { query: "{ providers { healthy } }" });
    expect(status).toBe(200);
    expect(body.data.providers).toHaveLength(3);
  });

  it("serves GraphiQL", async () => {
    const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
      headers: { accept: "text/html" },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Contacts gateway");
  });

  it("refuses a query and a documentId together", async () => {
    const { status } = await post(gateway, {
      query: "{ providers { healthy } }",
      documentId: idOf("CompanyList"),
    });
    expect(status).toBe(400);
  });
});

describe("with TRUSTED_DOCUMENTS_ONLY, nothing else runs", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await openTrusting({ TRUSTED_DOCUMENTS_ONLY: "true" });
  });
  afterAll(() => gateway.close());

  it("refuses an ad-hoc query, POST or GET: PERSISTED_QUERY_ONLY", async () => {
    const query = "{ providers { healthy } }";
    expect(await post(gateway, { query })).toEqual(refusedWith("PERSISTED_QUERY_ONLY"));
    expect(await get(gateway, { query })).toEqual(refusedWith("PERSISTED_QUERY_ONLY"));
  });

  it("refuses an example operation sent as text, although its document is trusted", async () => {
    const { document } = entryOf("CompanyList");
    expect(await post(gateway, { query: document })).toEqual(refusedWith("PERSISTED_QUERY_ONLY"));
  });
});

describe("configuration", () => {
  it("refuses TRUSTED_DOCUMENTS_ONLY without a manifest: nothing could run", () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_ONLY: "true" })).toThrow(ConfigError);
  });

  it.each([
    ["a file that is not there", "missing.json", null],
    ["a file that is not JSON", "not-json.json", "{"],
    [
      "an entry whose id is not its document's sha256",
      "wrong-hash.json",
      JSON.stringify({ [`sha256:${"a".repeat(64)}`]: "{ providers { healthy } }" }),
    ],
    [
      "an entry keyed by a sha1",
      "sha1.json",
      JSON.stringify({ ["a".repeat(40)]: "{ providers { healthy } }" }),
    ],
  ])("refuses a manifest with %s, naming PERSISTED_DOCUMENTS", (_what, name, content) => {
    const path = join(folder, name);
    if (content !== null) writeFileSync(path, content);
    expect(() => loadConfig({ PERSISTED_DOCUMENTS: path })).toThrow(
      new RegExp(`PERSISTED_DOCUMENTS: .*${name}`),
    );
  });
});
