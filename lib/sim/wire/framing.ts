/**
 * TWS socket framing: the `API\0` preamble with a version range, then 4-byte big-endian
 * length-prefixed messages whose fields are NUL-terminated UTF-8 strings.
 */

export const API_PREAMBLE = Buffer.from("API\0", "latin1");
/** Real TWS rejects frames above 16 MiB; anything bigger here is garbage. */
export const MAX_FRAME_BYTES = 0xffffff;

export type InboundEvent =
  | { kind: "handshake"; minVersion: number; maxVersion: number }
  | { kind: "message"; fields: string[] }
  | { kind: "broken"; reason: string };

/** Encodes one message: a length prefix, then each field followed by a NUL. */
export function encodeFrame(fields: readonly string[]): Buffer {
  const body = Buffer.from(fields.join("\0") + "\0", "utf8");
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Splits a frame body into its fields; the trailing NUL terminates the last one. */
export function splitFields(body: Buffer): string[] {
  const text = body.toString("utf8");
  const parts = text.split("\0");
  if (parts[parts.length - 1] === "") parts.pop();
  return parts;
}

const VERSION_RANGE = /^v(\d+)(?:\.\.(\d+))?$/;

/** Parses the handshake payload `v{min}..{max}` (or `v{n}`); null when malformed. */
export function parseVersionRange(payload: string): { minVersion: number; maxVersion: number } | null {
  const match = VERSION_RANGE.exec(payload.trim());
  if (!match) return null;
  const minVersion = Number(match[1]);
  const maxVersion = match[2] === undefined ? minVersion : Number(match[2]);
  if (!Number.isSafeInteger(minVersion) || !Number.isSafeInteger(maxVersion) || minVersion > maxVersion) return null;
  return { minVersion, maxVersion };
}

/**
 * Incremental reader for one connection: accepts TCP chunks of any size and yields
 * whole handshakes and messages, however the bytes were split or batched.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private awaitingPreamble = true;
  private broken = false;

  push(chunk: Buffer): InboundEvent[] {
    if (this.broken) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: InboundEvent[] = [];
    for (;;) {
      const event = this.awaitingPreamble ? this.readPreamble() : this.readFrame();
      if (event === null) break;
      events.push(event);
      if (event.kind === "broken") {
        this.broken = true;
        this.buffer = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  private readPreamble(): InboundEvent | null {
    const prefixLength = Math.min(this.buffer.length, API_PREAMBLE.length);
    if (!this.buffer.subarray(0, prefixLength).equals(API_PREAMBLE.subarray(0, prefixLength))) {
      return { kind: "broken", reason: "connection did not start with the API preamble" };
    }
    if (this.buffer.length < API_PREAMBLE.length) return null;
    const body = this.takeFrameBody(API_PREAMBLE.length);
    if (body === null || "reason" in body) return body;
    this.awaitingPreamble = false;
    const range = parseVersionRange(body.payload.toString("utf8"));
    return range ? { kind: "handshake", ...range } : { kind: "broken", reason: "malformed version range in handshake" };
  }

  private readFrame(): InboundEvent | null {
    const body = this.takeFrameBody(0);
    if (body === null || "reason" in body) return body;
    return { kind: "message", fields: splitFields(body.payload) };
  }

  private takeFrameBody(offset: number): { payload: Buffer } | { kind: "broken"; reason: string } | null {
    if (this.buffer.length < offset + 4) return null;
    const length = this.buffer.readUInt32BE(offset);
    if (length === 0 || length > MAX_FRAME_BYTES) return { kind: "broken", reason: `invalid frame length ${length}` };
    const end = offset + 4 + length;
    if (this.buffer.length < end) return null;
    const payload = this.buffer.subarray(offset + 4, end);
    this.buffer = this.buffer.subarray(end);
    return { payload };
  }
}
