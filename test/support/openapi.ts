import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";
import type { FakeResponse, RecordedRequest } from "../fakes/exchange.ts";

/**
 * Checks HTTP exchanges against an OpenAPI 3.1 document: the operation exists for the path and
 * method, its path and query parameters, the bearer token, the request body against the
 * operation's requestBody schema and the response body against the schema of its status. Fakes run
 * it on every exchange so that they, and the adapters they serve, cannot drift from the contract.
 */

type Json = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}
interface CompiledParameter extends Parameter {
  validate: ValidateFunction | null;
}
interface Operation {
  template: string;
  method: string;
  pattern: RegExp;
  /** Characters of the template outside parameters: the most literal match wins (`/contacts/filter` over `/contacts/{id}`). */
  literalLength: number;
  parameters: CompiledParameter[];
  requestBody: { required: boolean; schema: ValidateFunction | null } | null;
  responses: Map<string, { schema: ValidateFunction | null }>;
}

export interface OpenApiValidator {
  /** Every way the exchange breaks the document; empty when it conforms. */
  check(request: RecordedRequest, response: FakeResponse): string[];
}

// Statuses any endpoint may answer that the document leaves to its prose (see upstream/README.md).
const TRANSPORT_STATUSES = new Set([401, 429, 500, 502, 503, 504]);
const SPEC_ID = "openapi.json";
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => void;

export interface OpenApiValidatorOptions {
  /** The servers' path before the document's paths, e.g. "/api/v2". */
  basePath: string;
  /** Schemas that replace those of the named parameters: errata of the document, each to be explained by the caller. */
  parameterSchemas?: Record<string, Json>;
}

export function loadOpenApiValidator(file: string | URL, options: OpenApiValidatorOptions): OpenApiValidator {
  const document = JSON.parse(readFileSync(file, "utf8")) as Json;
  const components = (document.components ?? {}) as Record<string, Record<string, Json>>;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, $defs: rewriteRefs(components.schemas ?? {}) });
  const compile = (schema: unknown) => (schema ? ajv.compile(rewriteRefs(schema) as Json) : null);
  const resolve = <T>(value: unknown): T => {
    const ref = (value as { $ref?: string } | undefined)?.$ref;
    if (!ref) return value as T;
    const [, kind, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref) ?? [];
    return resolve<T>(components[kind ?? ""]?.[name ?? ""]);
  };

  const operations: Operation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Record<string, Json>)) {
    for (const [method, raw] of Object.entries(item)) {
      if (method === "parameters") continue;
      const operation = raw as Json;
      const parameters = [
        ...((item.parameters as unknown[]) ?? []),
        ...((operation.parameters as unknown[]) ?? []),
      ]
        .map((parameter) => resolve<Parameter>(parameter))
        .map((parameter) => ({
          ...parameter,
          schema: options.parameterSchemas?.[parameter.name] ?? parameter.schema,
        }))
        .map((parameter) => ({ ...parameter, validate: compile(parameter.schema) }));
      const body = operation.requestBody as
        | { required?: boolean; content?: Record<string, Json> }
        | undefined;
      const responses = new Map(
        Object.entries((operation.responses ?? {}) as Json).map(([status, value]) => {
          const response = resolve<{ content?: Record<string, Json> }>(value);
          return [status, { schema: compile(jsonContent(response.content)?.schema) }] as const;
        }),
      );
      operations.push({
        template,
        method: method.toUpperCase(),
        pattern: templatePattern(options.basePath, template),
        literalLength: template.replace(/\{[^}]+\}/g, "").length,
        parameters,
        requestBody: body
          ? { required: body.required === true, schema: compile(jsonContent(body.content)?.schema) }
          : null,
        responses,
      });
    }
  }
  const notFound = compile(
    jsonContent(resolve<{ content?: Record<string, Json> }>(components.responses?.["404_not_found"])?.content)
      ?.schema,
  );

  return {
    check(request, response) {
      const where = `${request.method} ${request.path}`;
      const candidates = operations
        .map((operation) => ({ operation, match: operation.pattern.exec(request.path) }))
        .filter((candidate) => candidate.match)
        .sort((a, b) => b.operation.literalLength - a.operation.literalLength);
      const found = candidates.find((candidate) => candidate.operation.method === request.method);
      if (!found?.match) return [`${where}: no operation in the document`];
      const { operation } = found;
      const problems: string[] = [];
      const report = (what: string, validate: ValidateFunction, value: unknown) => {
        if (!validate(value))
          problems.push(`${where} ${what}: ${ajv.errorsText(validate.errors, { dataVar: what })}`);
      };

      if (!/^Bearer \S+$/.test(String(request.headers.authorization ?? ""))) {
        problems.push(`${where}: no bearer token`);
      }
      for (const parameter of operation.parameters) {
        const value =
          parameter.in === "path"
            ? found.match.groups?.[groupName(parameter.name)]
            : parameter.in === "query"
              ? (request.query.get(parameter.name) ?? undefined)
              : undefined;
        if (value === undefined) {
          if (parameter.required && parameter.in !== "header")
            problems.push(`${where}: ${parameter.in} parameter ${parameter.name} missing`);
          continue;
        }
        if (parameter.validate) {
          report(
            `${parameter.in} parameter ${parameter.name}`,
            parameter.validate,
            coerce(value, parameter.schema ?? {}),
          );
        }
      }
      for (const name of new Set(request.query.keys())) {
        if (!operation.parameters.some((parameter) => parameter.in === "query" && parameter.name === name)) {
          problems.push(`${where}: query parameter ${name} is not in the document`);
        }
      }

      if (request.body === undefined) {
        if (operation.requestBody?.required) problems.push(`${where}: request body missing`);
      } else if (!operation.requestBody) {
        problems.push(`${where}: sent a body the operation does not take`);
      } else if (operation.requestBody.schema) {
        report("request body", operation.requestBody.schema, request.body);
      }

      const status = String(response.status);
      const documented =
        operation.responses.get(status) ??
        operation.responses.get(`${status[0]}XX`) ??
        operation.responses.get("default");
      const schema = documented ? documented.schema : response.status === 404 ? notFound : undefined;
      if (schema === undefined) {
        if (!TRANSPORT_STATUSES.has(response.status))
          problems.push(`${where}: status ${status} is not documented`);
      } else if (response.body === undefined) {
        // An error status may come without a body; a success the document describes may not.
        if (schema && response.status < 400) problems.push(`${where}: response ${status} has no body`);
      } else if (!schema) {
        problems.push(`${where}: response ${status} has a body the document does not describe`);
      } else {
        report(`response ${status}`, schema, response.body);
      }
      return problems;
    },
  };
}

/** `{administration_id}/contacts/{id}{format}` → a regex with a named group per parameter. */
function templatePattern(basePath: string, template: string): RegExp {
  const source = `${basePath}${template}`
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      return name === "format" ? `(?<${groupName(name)}>(?:\\.\\w+)?)` : `(?<${groupName(name)}>[^/]+?)`;
    })
    .join("");
  return new RegExp(`^${source}$`);
}

const groupName = (parameter: string) => parameter.replace(/\W/g, "_");

function jsonContent(content: Record<string, Json> | undefined): Json | undefined {
  if (!content) return undefined;
  return content["application/json"] ?? content["application/*"] ?? Object.values(content)[0];
}

/** Path and query values arrive as text; read them as the number or boolean the schema allows. */
function coerce(value: string, schema: Json): unknown {
  const types = [schema.type].flat();
  if ((types.includes("integer") || types.includes("number")) && /^-?\d+(\.\d+)?$/.test(value)) {
    const number = Number(value);
    if (Number.isSafeInteger(number) || !Number.isInteger(number)) return number;
  }
  if (types.includes("boolean") && (value === "true" || value === "false")) return value === "true";
  return value;
}

/** Points the document's `#/components/schemas/x` at the copy registered under SPEC_ID. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) =>
      key === "$ref" && typeof inner === "string"
        ? [key, inner.replace("#/components/schemas/", `${SPEC_ID}#/$defs/`)]
        : [key, rewriteRefs(inner)],
    ),
  );
}
