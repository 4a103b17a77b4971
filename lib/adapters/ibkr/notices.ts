/** What a TWS system message (id -1) means for the connection. */
export type NoticeKind = "connectivity-lost" | "restored-data-lost" | "restored-data-kept" | "farm-ok" | "farm-broken" | "info";

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
};

export function classifyNotice(code: number, message: string): ConnectionNotice {
  return { code, message, kind: KIND_BY_CODE[code] ?? "info" };
}
