import type { Provider } from "../domain/common.ts";

/**
 * Each provider's documented rate limits per credential (../shared/upstream/README.md): at most
 * `limit` requests per `seconds`. The gateway's budgets keep within them; each is configurable
 * (`<PROVIDER>_RATE_LIMITS`) for an account with other limits.
 */
export const DOCUMENTED_RATE_LIMITS: Record<Provider, readonly { limit: number; seconds: number }[]> = {
  // 100 per 10 s and 4000 per 30 min per token.
  PRODUCTIVE: [
    { limit: 100, seconds: 10 },
    { limit: 4000, seconds: 1800 },
  ],
  // 150 per 5 min, fixed.
  MONEYBIRD: [{ limit: 150, seconds: 300 }],
  // 120 per minute and 3600 per hour per user.
  FREEAGENT: [
    { limit: 120, seconds: 60 },
    { limit: 3600, seconds: 3600 },
  ],
};
