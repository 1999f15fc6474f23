import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "../../src/config.ts";

/** `.env.example` is the operator's template: it must offer every variable loadConfig reads. */
const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");

describe(".env.example", () => {
  it("lists every variable of the configuration schema, with its default", () => {
    const listed = new Map(
      [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1], match[2]]),
    );
    for (const { name, defaultValue } of CONFIG_VARIABLES) expect(listed.get(name), name).toBe(defaultValue);
    expect([...listed.keys()].sort()).toEqual(CONFIG_VARIABLES.map(({ name }) => name).sort());
  });
});
