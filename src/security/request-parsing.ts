import type { GraphQLParams, Plugin } from "graphql-yoga";
import { createGraphQLError } from "graphql-yoga";

/** The media types a POST body may have: JSON, which a browser sends cross-origin only after a preflight. */
const JSON_MEDIA_TYPES = new Set(["application/json", "application/graphql+json"]);

/** A request's media type as HTTP compares it: case-insensitive, without parameters (`; charset=utf-8`). */
export function mediaType(request: Request): string {
  return request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * CSRF protection: a browser sends a form or text/plain POST cross-origin without asking, but a
 * JSON POST only after a CORS preflight, which this gateway refuses unless the origin is allowed.
 * So every POST must be JSON.
 *
 * And the request parsing that goes with it: yoga's own JSON parser matches the media type
 * case-sensitively (`APPLICATION/JSON` was a bare 415) and answers a malformed body with the JSON
 * parser's own error; a GET whose `variables` are not JSON was an unexpected error (500). Each is
 * a 400 that says what is wrong with the request, and nothing of the parser.
 */
export function useJsonBodiesOnly(): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== "POST" || JSON_MEDIA_TYPES.has(mediaType(request))) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [
              {
                message: "Send GraphQL requests as application/json",
                extensions: { code: "UNSUPPORTED_MEDIA_TYPE" },
              },
            ],
          }),
          { status: 415, headers: { "content-type": "application/json" } },
        ),
      );
    },
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (request.method === "POST") {
        setRequestParser(parseJsonBody);
      } else if (requestParser) {
        setRequestParser(async (get) => {
          try {
            return await requestParser(get);
          } catch (error) {
            if (error instanceof SyntaxError) throw badRequest("variables and extensions must be JSON");
            throw error;
          }
        });
      }
    },
  };
}

async function parseJsonBody(request: Request): Promise<GraphQLParams> {
  // Read first, apart from parsing: yoga's body size limit fails the read with its own 413.
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest("POST body sent invalid JSON.");
  }
  if (body === null || typeof body !== "object") throw badRequest("POST body must be a JSON object");
  return body as GraphQLParams;
}

function badRequest(message: string) {
  return createGraphQLError(message, { extensions: { http: { status: 400 }, code: "BAD_REQUEST" } });
}
