/** The Redis the tests share budgets through: this machine's, or REDIS_URL (`.ci/run` starts one when none runs). */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
