import { afterEach, describe, expect, it } from "vitest";
import { schema } from "../../src/schema/index.ts";

/** The DateTime scalar's input side, exercised directly (the gateway tests go through HTTP). */
const dateTime = schema.getType("DateTime") as unknown as { parseValue(value: unknown): string };
const zone = process.env.TZ;
afterEach(() => {
  process.env.TZ = zone;
});

describe("DateTime input", () => {
  it("reads a time without an offset as UTC, whatever the server's time zone", () => {
    process.env.TZ = "America/New_York";
    expect(dateTime.parseValue("2024-01-01T10:00")).toBe("2024-01-01T10:00:00.000Z");
    expect(dateTime.parseValue("2024-07-01T10:00:30")).toBe("2024-07-01T10:00:30.000Z");
  });

  it("normalises offsets and dates to UTC instants", () => {
    expect(dateTime.parseValue("2024-01-01T10:00:00+02:00")).toBe("2024-01-01T08:00:00.000Z");
    expect(dateTime.parseValue("2024-02-29")).toBe("2024-02-29T00:00:00.000Z");
    expect(dateTime.parseValue("0004-02-29")).toBe("0004-02-29T00:00:00.000Z");
  });

  it.each(["2024-02-30", "2023-02-29", "2024-04-31T00:00:00Z", "2024-01-01T23:60:00Z", "2024-1-1", 20240101])(
    "refuses %s",
    (value) => {
      expect(() => dateTime.parseValue(value)).toThrow(/DateTime must be an ISO 8601/);
    },
  );
});
