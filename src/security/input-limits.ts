import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import type { GraphQLArgument, GraphQLFieldResolver, GraphQLInputType } from "graphql";
import type { Plugin } from "graphql-yoga";
import { BadUserInputError, ValidationError } from "../errors.ts";
import { isInputObject, isList, isNonNull } from "./graphql-types.ts";
import { DEFAULT_LIMITS, formatCount, type RequestLimits } from "./limits.ts";

/**
 * Input limits: every string argument (or string inside an input object, a list or a JSON value)
 * at most `maxInputStringLength` long, every ID at most `maxIdLength`, every JSON value nested at
 * most `maxJsonDepth` deep. Checked on each field's coerced arguments just before its resolver
 * runs, so nothing is read or written for refused input, and by the schema's own argument types,
 * so a new argument is covered without a word. In the resolver's place rather than before
 * execution because a mutation's refusal belongs in its result union, which only its field can
 * answer with (this plugin runs inside the errors plugin, see builder.ts).
 *
 * A mutation's too-long string or ID is a ValidationError at its input path (`["input","name"]`),
 * inside the mutation's result union like the providers' own refusals; anywhere else (a query's
 * arguments) a BAD_USER_INPUT error. Over-deep JSON is always BAD_USER_INPUT: no form produces it.
 * Messages name paths and lengths, never the values, so a huge input is not echoed back.
 */

type InputLimits = Pick<RequestLimits, "maxInputStringLength" | "maxIdLength" | "maxJsonDepth">;

interface Violation {
  /** From the argument's name down: field names and list indices, never input values. */
  path: (string | number)[];
  problem: string;
  /** Over-deep JSON: refused as malformed input even in a mutation. */
  malformed: boolean;
}

/** Enough to say what is wrong without a message the size of the input. */
const REPORTED_VIOLATIONS = 5;

function findInputViolations(
  args: Readonly<Record<string, unknown>>,
  definitions: readonly GraphQLArgument[],
  limits: InputLimits,
): Violation[] {
  const violations: Violation[] = [];
  const report = (path: (string | number)[], problem: string, malformed = false) => {
    violations.push({ path, problem, malformed });
  };
  const full = () => violations.length > REPORTED_VIOLATIONS;

  const checkString = (value: string, max: number, path: (string | number)[], what = "") => {
    if (value.length > max) {
      report(
        path,
        `is too long${what}: ${formatCount(value.length)} characters, at most ${formatCount(max)}`,
      );
    }
  };

  /** Inside JSON, problems are reported at the JSON value: its keys are the client's, not the schema's. */
  const walkJson = (value: unknown, path: (string | number)[], level: number): void => {
    if (full()) return;
    if (typeof value === "string") {
      if (value.length > limits.maxInputStringLength) {
        report(
          path,
          `holds a string of ${formatCount(value.length)} characters, at most ${formatCount(limits.maxInputStringLength)}`,
        );
      }
      return;
    }
    if (value === null || typeof value !== "object") return;
    if (level > limits.maxJsonDepth) {
      report(path, `is nested too deeply: more than ${limits.maxJsonDepth} levels`, true);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      if (key.length > limits.maxInputStringLength) {
        report(
          path,
          `holds a key of ${formatCount(key.length)} characters, at most ${formatCount(limits.maxInputStringLength)}`,
        );
      }
      walkJson(inner, path, level + 1);
    }
  };

  const walk = (value: unknown, type: GraphQLInputType, path: (string | number)[]): void => {
    if (value === null || value === undefined || full()) return;
    if (isNonNull(type)) {
      walk(value, type.ofType as GraphQLInputType, path);
    } else if (isList(type)) {
      const item = type.ofType as GraphQLInputType;
      if (Array.isArray(value)) {
        for (const [index, inner] of value.entries()) walk(inner, item, [...path, index]);
      }
    } else if (isInputObject(type)) {
      for (const field of Object.values(type.getFields())) {
        walk((value as Record<string, unknown>)[field.name], field.type, [...path, field.name]);
      }
    } else if (type.name === "JSON") {
      walkJson(value, path, 1);
    } else if (typeof value === "string") {
      // A scalar; an enum's values are its names, never long.
      if (type.name === "ID") checkString(value, limits.maxIdLength, path, " for an ID");
      else checkString(value, limits.maxInputStringLength, path);
    }
  };

  for (const definition of definitions) walk(args[definition.name], definition.type, [definition.name]);
  return violations;
}

/** `input.addresses[0].city` */
function formatPath(path: (string | number)[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : index ? `.${part}` : part))
    .join("");
}

function refusal(violations: Violation[], inMutation: boolean): Error {
  const reported = violations.slice(0, REPORTED_VIOLATIONS);
  const more = violations.length > REPORTED_VIOLATIONS ? "; more inputs are over their limits" : "";
  const message =
    reported.map((violation) => `${formatPath(violation.path)} ${violation.problem}`).join("; ") + more;
  if (!inMutation || violations.some((violation) => violation.malformed)) {
    return new BadUserInputError(message);
  }
  // Every mutation takes a single argument (input or id), the root of ValidationError's paths.
  const argument = String(reported[0]?.path[0]);
  const fieldErrors = reported
    .filter((violation) => violation.path[0] === argument)
    .map((violation) => ({ path: violation.path.slice(1).map(String), message: violation.problem }));
  return new ValidationError(fieldErrors, message, argument);
}

/** Where the gateway's configured limits travel to the resolvers: the per-request context. */
const INPUT_LIMITS = Symbol("inputLimits");
type LimitedContext = { [INPUT_LIMITS]?: InputLimits };

/** Puts the configured input limits in every request's context, for `PothosInputLimitsPlugin`. */
export function useInputLimits(limits: InputLimits): Plugin<LimitedContext> {
  return {
    onContextBuilding({ extendContext }) {
      extendContext({ [INPUT_LIMITS]: limits });
    },
  };
}

export class PothosInputLimitsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    if (Object.keys(fieldConfig.args).length === 0) return resolver;
    const inMutation = fieldConfig.kind === "Mutation";
    return (parent, args, context, info) => {
      // Outside the gateway (a test executing the schema directly) the defaults apply.
      const limits = (context as LimitedContext)[INPUT_LIMITS] ?? DEFAULT_LIMITS;
      const definitions = info.parentType.getFields()[info.fieldName]?.args ?? [];
      const violations = findInputViolations(args as Record<string, unknown>, definitions, limits);
      if (violations.length > 0) throw refusal(violations, inMutation);
      return resolver(parent, args, context, info);
    };
  }
}

export const inputLimitsPlugin = "inputLimits";

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      inputLimits: PothosInputLimitsPlugin<Types>;
    }
  }
}

SchemaBuilder.registerPlugin(inputLimitsPlugin, PothosInputLimitsPlugin);
