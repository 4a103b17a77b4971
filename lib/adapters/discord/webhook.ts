import { z } from "zod";

/** Discord's message flag that posts without a push notification ("@silent"). */
export const SUPPRESS_NOTIFICATIONS = 1 << 12;
export const MAX_CONTENT_CHARS = 2_000;
export const MAX_EMBEDS = 10;

export interface Embed {
  title?: string;
  description?: string;
  color?: number;
  fields?: { name: string; value: string; inline?: boolean }[];
  image?: { url: string };
  timestamp?: string;
}

export interface Attachment {
  name: string;
  data: Uint8Array;
  contentType: string;
}

export interface WebhookMessage {
  content?: string;
  embeds?: Embed[];
  flags?: number;
  files?: Attachment[];
}

export interface WebhookOptions {
  url: string;
  /** Attempts for a 5xx or a network failure; a 429 waits as told and does not use one up. */
  maxAttempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
  /** Longest wait a 429 may impose before the message is given up. */
  maxRateLimitWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "WebhookError";
  }
}

const webhookUrl = z
  .string()
  .url("the Discord webhook URL is not a URL")
  .refine((value) => /^https?:$/.test(new URL(value).protocol), "the Discord webhook URL must be http(s)");

const rateLimitBody = z.object({ retry_after: z.number().nonnegative(), global: z.boolean().optional() });

export function parseWebhookUrl(value: string): string {
  return webhookUrl.parse(value);
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts messages to one Discord webhook: waits out 429s (retry_after) and an exhausted
 * X-RateLimit bucket before the next send, retries 5xx and network failures with backoff.
 */
export class DiscordWebhook {
  private readonly url: string;
  private bucketResetAt = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WebhookOptions) {
    this.url = parseWebhookUrl(options.url);
    this.sleep = options.sleep ?? sleepFor;
  }

  async send(message: WebhookMessage): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    let failures = 0;
    for (;;) {
      await this.waitForBucket();
      const outcome = await this.attempt(message);
      if (outcome.kind === "sent") return;
      if (outcome.kind === "rate-limited") {
        if (outcome.waitMs > (this.options.maxRateLimitWaitMs ?? 60_000)) {
          throw new WebhookError(`Discord asked to wait ${outcome.waitMs} ms; message dropped`, 429);
        }
        await this.sleep(outcome.waitMs);
        continue;
      }
      failures += 1;
      if (outcome.kind === "rejected" || failures >= maxAttempts) throw new WebhookError(outcome.reason, outcome.status);
      await this.sleep((this.options.backoffMs ?? 500) * 2 ** (failures - 1));
    }
  }

  private async waitForBucket(): Promise<void> {
    const wait = this.bucketResetAt - Date.now();
    if (wait > 0) await this.sleep(wait);
  }

  private async attempt(message: WebhookMessage): Promise<Outcome> {
    let response: Response;
    try {
      response = await fetch(this.url, { method: "POST", body: requestBody(message), signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000) });
    } catch (error) {
      return { kind: "failed", status: null, reason: `Discord webhook unreachable: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.noteBucket(response.headers);
    const text = await response.text().catch(() => "");
    if (response.ok) return { kind: "sent" };
    if (response.status === 429) return { kind: "rate-limited", waitMs: retryAfterMs(text, response.headers) };
    const reason = `Discord webhook answered ${response.status}: ${text.slice(0, 200)}`;
    return { kind: response.status >= 500 ? "failed" : "rejected", status: response.status, reason };
  }

  private noteBucket(headers: Headers): void {
    if (headers.get("x-ratelimit-remaining") !== "0") return;
    const resetAfter = Number(headers.get("x-ratelimit-reset-after"));
    if (Number.isFinite(resetAfter) && resetAfter > 0) this.bucketResetAt = Date.now() + resetAfter * 1_000;
  }
}

type Outcome =
  | { kind: "sent" }
  | { kind: "rate-limited"; waitMs: number }
  | { kind: "failed" | "rejected"; status: number | null; reason: string };

function retryAfterMs(body: string, headers: Headers): number {
  try {
    return Math.ceil(rateLimitBody.parse(JSON.parse(body)).retry_after * 1_000);
  } catch {
    const header = Number(headers.get("retry-after"));
    return Number.isFinite(header) && header >= 0 ? Math.ceil(header * 1_000) : 1_000;
  }
}

/** JSON without files; multipart (payload_json + files[n]) with them, as Discord expects. */
function requestBody(message: WebhookMessage): Blob | FormData {
  const { files = [], ...payload } = message;
  const json = JSON.stringify({ ...payload, allowed_mentions: { parse: [] }, ...(files.length ? { attachments: files.map((file, id) => ({ id, filename: file.name })) } : {}) });
  // A typed Blob makes fetch send Content-Type: application/json, which Discord requires.
  if (files.length === 0) return new Blob([json], { type: "application/json" });
  const form = new FormData();
  form.set("payload_json", json);
  files.forEach((file, index) => form.set(`files[${index}]`, new Blob([new Uint8Array(file.data)], { type: file.contentType }), file.name));
  return form;
}
