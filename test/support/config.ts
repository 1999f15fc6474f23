import { expect } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

/** The ConfigError `env` is refused with; fails the test when `env` is accepted. */
export function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}
