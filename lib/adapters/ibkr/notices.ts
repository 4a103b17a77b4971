/** What a TWS system message (id -1) means for the connection. */
export type NoticeKind = "connectivity-lost" | "restored-data-lost" | "restored-data-kept" | "farm-ok" | "farm-broken" | "farm-inactive" | "info";

export interface ConnectionNotice {
  code: number;
  kind: NoticeKind;
  message: string;
}

const KIND_BY_CODE: Record<number, NoticeKind> = {
  1100: "connectivity-lost",
  1101: "restored-data-lost",
  1102: "restored-data-kept",
  2103: "farm-broken",
  2105: "farm-broken",
  2157: "farm-broken",
  2104: "farm-ok",
  2106: "farm-ok",
  2158: "farm-ok",
  2107: "farm-inactive",
  2108: "farm-inactive",
};

/** Codes that describe the connection rather than a request, whatever id they arrive with. */
export const CONNECTION_CODES = new Set(Object.keys(KIND_BY_CODE).map(Number));

export function classifyNotice(code: number, message: string): ConnectionNotice {
  return { code, message, kind: KIND_BY_CODE[code] ?? "info" };
}

export type FarmState = "ok" | "broken" | "inactive";

/** The farm a notice is about: TWS puts its name after the last colon ("...is OK:usfarm"). */
export function farmOf(notice: ConnectionNotice): { farm: string; state: FarmState } | null {
  const state: FarmState | null =
    notice.kind === "farm-ok" ? "ok" : notice.kind === "farm-broken" ? "broken" : notice.kind === "farm-inactive" ? "inactive" : null;
  if (!state) return null;
  const colon = notice.message.lastIndexOf(":");
  const farm = colon >= 0 ? notice.message.slice(colon + 1).trim() : "";
  return { farm: farm || `code-${notice.code}`, state };
}

/** Latest state of every data farm the gateway has reported on. */
export class FarmStates {
  private readonly states = new Map<string, { state: FarmState; since: number }>();

  apply(notice: ConnectionNotice, at: number): void {
    const farm = farmOf(notice);
    if (!farm) return;
    if (this.states.get(farm.farm)?.state === farm.state) return;
    this.states.set(farm.farm, { state: farm.state, since: at });
  }

  snapshot(): Record<string, { state: FarmState; since: string }> {
    return Object.fromEntries([...this.states].map(([farm, entry]) => [farm, { state: entry.state, since: new Date(entry.since).toISOString() }]));
  }
}
