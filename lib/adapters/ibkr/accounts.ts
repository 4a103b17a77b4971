/** TRADING_MODE: whether Kestrel trades a paper account or a live one. */
export const ACCOUNT_MODES = ["paper", "live"] as const;
export type AccountMode = (typeof ACCOUNT_MODES)[number];

/** Paper trading needs a paper (DU) account and live trading a real one; anything else is refused. */
export function accountModeProblem(mode: AccountMode, account: string): string | null {
  if (!account) return null;
  const paperAccount = account.startsWith("DU");
  if (mode === "paper" && !paperAccount) return `TRADING_MODE=paper but account ${account} is not a paper (DU) account; set TRADING_MODE=live to trade it`;
  if (mode === "live" && paperAccount) return `TRADING_MODE=live but account ${account} is a paper (DU) account; set TRADING_MODE=paper`;
  return null;
}
