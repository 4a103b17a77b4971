import { MAX_CONTENT_CHARS, MAX_EMBEDS, SUPPRESS_NOTIFICATIONS, type Attachment, type Embed, type WebhookMessage } from "./webhook";

/** One alert as the notifier queues it; `kind` names it when a burst is summarised. */
export interface OutgoingAlert {
  kind: string;
  silent: boolean;
  text: string;
  embed?: Embed;
  file?: Attachment;
}

export interface NotifierOptions {
  send: (message: WebhookMessage) => Promise<void>;
  /** Alerts arriving within this window after the first one go out as one message. */
  windowMs?: number;
  /** Queue bound; when full the oldest alert is dropped and counted. */
  maxQueued?: number;
  /** Lines listed in one message before the rest are summarised by kind. */
  maxLines?: number;
  onError?: (error: unknown) => void;
}

export interface NotifierStats {
  queued: number;
  dropped: number;
  sentMessages: number;
  failedMessages: number;
}

/**
 * A fire-and-forget queue in front of the webhook: `post` returns at once and never throws;
 * bursts are coalesced per window and sent one message at a time.
 */
export class AlertNotifier {
  private queue: OutgoingAlert[] = [];
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private droppedSinceLastMessage = 0;
  private readonly stats = { dropped: 0, sentMessages: 0, failedMessages: 0 };

  constructor(private readonly options: NotifierOptions) {}

  post(alert: OutgoingAlert): void {
    try {
      if (this.queue.length >= (this.options.maxQueued ?? 500)) {
        this.queue.shift();
        this.stats.dropped += 1;
        this.droppedSinceLastMessage += 1;
      }
      this.queue.push(alert);
      this.schedule();
    } catch (error) {
      this.reportError(error);
    }
  }

  snapshot(): NotifierStats {
    return { queued: this.queue.length, ...this.stats };
  }

  /** Sends everything queued now (shutdown, tests). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.draining || this.queue.length > 0) {
      await (this.draining ?? this.drain());
    }
  }

  /** Stops the window timer; queued alerts are discarded. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
  }

  private schedule(): void {
    if (this.timer || this.draining) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, this.options.windowMs ?? 2_000);
    this.timer.unref();
  }

  private drain(): Promise<void> {
    this.draining ??= this.sendBatch().finally(() => {
      this.draining = null;
      if (this.queue.length > 0) this.schedule();
    });
    return this.draining;
  }

  private async sendBatch(): Promise<void> {
    const batch = this.queue.splice(0);
    const messages = composeMessages(batch, this.droppedSinceLastMessage, this.options.maxLines ?? 15);
    this.droppedSinceLastMessage = 0;
    for (const message of messages) {
      try {
        await this.options.send(message);
        this.stats.sentMessages += 1;
      } catch (error) {
        this.stats.failedMessages += 1;
        this.reportError(error);
      }
    }
  }

  private reportError(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // An error reporter that fails must still not reach the caller.
    }
  }
}

const MAX_FILE_MESSAGES_PER_BATCH = 3;

/** Turns one window's alerts into as few Discord messages as the limits allow. */
export function composeMessages(batch: readonly OutgoingAlert[], dropped: number, maxLines: number): WebhookMessage[] {
  const messages: WebhookMessage[] = [];
  for (const silent of [false, true]) {
    const group = batch.filter((alert) => alert.silent === silent);
    const flags = silent ? SUPPRESS_NOTIFICATIONS : undefined;
    const withFiles = group.filter((alert) => alert.file).slice(-MAX_FILE_MESSAGES_PER_BATCH);
    for (const alert of withFiles) messages.push({ content: clip(alert.text), embeds: alert.embed ? [alert.embed] : undefined, files: [alert.file!], flags });
    const rest = group.filter((alert) => !withFiles.includes(alert));
    const notice = !silent && dropped > 0 ? [`⚠️ ${dropped} alert${dropped === 1 ? "" : "s"} dropped: the queue was full.`] : [];
    if (rest.length === 0 && notice.length === 0) continue;
    messages.push({ content: clip([...notice, ...listLines(rest, maxLines)].join("\n")), embeds: embedsOf(rest), flags });
  }
  return messages;
}

function listLines(alerts: readonly OutgoingAlert[], maxLines: number): string[] {
  if (alerts.length <= maxLines) return alerts.map((alert) => alert.text);
  const shown = alerts.slice(0, maxLines - 1);
  const counts = new Map<string, number>();
  for (const alert of alerts.slice(maxLines - 1)) counts.set(alert.kind, (counts.get(alert.kind) ?? 0) + 1);
  const summary = [...counts].map(([kind, count]) => `${kind} ×${count}`).join(", ");
  return [...shown.map((alert) => alert.text), `…and ${alerts.length - shown.length} more (${summary}).`];
}

function embedsOf(alerts: readonly OutgoingAlert[]): Embed[] | undefined {
  const embeds = alerts.flatMap((alert) => (alert.embed ? [alert.embed] : [])).slice(-MAX_EMBEDS);
  return embeds.length ? embeds : undefined;
}

/** Content over Discord's limit is cut on a line break where possible. */
function clip(content: string): string {
  if (content.length <= MAX_CONTENT_CHARS) return content;
  const room = MAX_CONTENT_CHARS - 2;
  const cut = content.lastIndexOf("\n", room);
  return `${content.slice(0, cut > room / 2 ? cut : room)}\n…`;
}
