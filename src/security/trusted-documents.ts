import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { parse } from "graphql";
import type { GraphQLParams, Plugin } from "graphql-yoga";

/**
 * Trusted documents (persisted documents): a client sends `documentId` instead of `query`, the id
 * of a document in a manifest the gateway was given at start-up, the `persisted-documents.json`
 * that codegen's client preset writes (`presetConfig: { persistedDocuments: true }`, see
 * codegen.ts). With `only`, nothing else runs: a production gateway behind frontends that ship
 * the manifest then runs exactly their operations, whatever else reaches it.
 */

export interface TrustedDocuments {
  /** Document by id: the hex sha256 of the document, without the `sha256:` prefix. */
  documents: ReadonlyMap<string, string>;
  /** TRUSTED_DOCUMENTS_ONLY: a request with a `query` of its own is refused. */
  only: boolean;
}

/** A sha256 document id as the GraphQL-over-HTTP convention writes it (`sha256:<hex>`), or the bare hash. */
const SHA256_DOCUMENT_ID = /^(?:sha256:)?([0-9a-f]{64})$/i;

/** The manifest key a document id names; null when it is no sha256 id. */
function manifestKey(documentId: string): string | null {
  return SHA256_DOCUMENT_ID.exec(documentId)?.[1]?.toLowerCase() ?? null;
}

/**
 * Reads a manifest, `{ "<id>": "<document>", … }`, and checks each entry: its id is the sha256 of
 * its document (so a manifest hashed otherwise, or edited by hand, fails at start-up rather than
 * at a client's request), and its document parses. Throws an Error saying which entry is wrong.
 */
export function readPersistedDocuments(path: string): Map<string, string> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`cannot read ${path} as JSON (${(error as Error).message})`);
  }
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    throw new Error(`${path} must hold a JSON object of document id → document`);
  }
  const documents = new Map<string, string>();
  for (const [id, document] of Object.entries(manifest)) {
    const key = manifestKey(id);
    if (typeof document !== "string" || key === null) {
      throw new Error(`${path}: entry "${id}" is not a sha256 document id with its document`);
    }
    if (createHash("sha256").update(document).digest("hex") !== key) {
      throw new Error(`${path}: entry "${id}" is not the sha256 of its document`);
    }
    try {
      parse(document);
    } catch (error) {
      throw new Error(`${path}: the document of "${id}" does not parse (${(error as Error).message})`);
    }
    documents.set(key, document);
  }
  return documents;
}

/** `documentId` of a POST body, or of a GET's query string (yoga's GET parser keeps only the standard parameters). */
function requestedDocumentId(params: GraphQLParams, request: Request): string | null {
  const id =
    (params as GraphQLParams & { documentId?: unknown }).documentId ??
    (request.method === "GET" ? new URL(request.url).searchParams.get("documentId") : null);
  return typeof id === "string" ? id : null;
}

const refusal = (code: string, message: string) => ({
  message,
  // 400 under any Accept: the request cannot run, as a missing query cannot (yoga's own "Must provide query string").
  extensions: { code, http: { status: 400 } },
});

export function useTrustedDocuments({ documents, only }: TrustedDocuments): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: !only,
    extractPersistedOperationId: requestedDocumentId,
    getPersistedOperation: (documentId) => {
      const key = manifestKey(documentId);
      return key === null ? null : (documents.get(key) ?? null);
    },
    customErrors: {
      notFound: refusal("PERSISTED_QUERY_NOT_FOUND", "No trusted document has this documentId"),
      persistedQueryOnly: refusal(
        "PERSISTED_QUERY_ONLY",
        "This gateway runs trusted documents only: send the documentId of a document in its persisted-documents manifest, not a query",
      ),
      keyNotFound: refusal(
        "BAD_REQUEST",
        only
          ? "Send the documentId of a trusted document"
          : "Send a query, or the documentId of a trusted document",
      ),
    },
  });
}
