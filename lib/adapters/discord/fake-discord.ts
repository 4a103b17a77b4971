import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ButtonInteractionLike, CommandInteractionLike, ReplyPayload } from "./commands";

/** One request the fake webhook received, with its JSON payload and any files. */
export interface ReceivedPost {
  at: number;
  contentType: string;
  payload: { content?: string; flags?: number; embeds?: unknown[]; attachments?: unknown[]; allowed_mentions?: unknown };
  files: { field: string; name: string; type: string; data: Buffer }[];
}

export interface ScriptedReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A Discord webhook endpoint on 127.0.0.1 for tests: records every post and answers from a
 * script (then 204). `blackHole` accepts requests and never answers.
 */
export class FakeDiscordWebhook {
  readonly received: ReceivedPost[] = [];
  readonly script: ScriptedReply[] = [];
  blackHole = false;
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      void this.record(request).then(() => {
        if (this.blackHole) return;
        const reply = this.script.shift() ?? { status: 204 };
        response.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
      });
    });
  }

  static async start(): Promise<FakeDiscordWebhook> {
    const fake = new FakeDiscordWebhook();
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/webhooks/1/token`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async record(request: IncomingMessage): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const contentType = request.headers["content-type"] ?? "";
    if (!contentType.startsWith("multipart/form-data")) {
      this.received.push({ at: Date.now(), contentType, payload: JSON.parse(body.toString("utf8")) as ReceivedPost["payload"], files: [] });
      return;
    }
    const form = await new Response(body, { headers: { "content-type": contentType } }).formData();
    const files: ReceivedPost["files"] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value !== "string") files.push({ field, name: value.name, type: value.type, data: Buffer.from(await value.arrayBuffer()) });
    }
    this.received.push({ at: Date.now(), contentType, payload: JSON.parse(String(form.get("payload_json"))) as ReceivedPost["payload"], files });
  }
}

export interface RecordedInteraction {
  replies: ReplyPayload[];
  edits: ReplyPayload[];
  updates: ReplyPayload[];
  deferred: boolean;
}

/** A slash command as discord.js hands it over, reduced to what the handlers use. */
export function slashCommand(commandName: string, userId: string, options: Record<string, string> = {}): CommandInteractionLike & RecordedInteraction {
  const recorded: RecordedInteraction = { replies: [], edits: [], updates: [], deferred: false };
  return Object.assign(recorded, {
    commandName,
    user: { id: userId },
    options: { getString: (name: string) => options[name] ?? null },
    reply: async (payload: ReplyPayload) => void recorded.replies.push(payload),
    deferReply: async () => {
      recorded.deferred = true;
    },
    editReply: async (payload: ReplyPayload) => void recorded.edits.push(payload),
  });
}

export function buttonClick(customId: string, userId: string): ButtonInteractionLike & RecordedInteraction {
  const recorded: RecordedInteraction = { replies: [], edits: [], updates: [], deferred: false };
  return Object.assign(recorded, {
    customId,
    user: { id: userId },
    reply: async (payload: ReplyPayload) => void recorded.replies.push(payload),
    update: async (payload: ReplyPayload) => void recorded.updates.push(payload),
    editReply: async (payload: ReplyPayload) => void recorded.edits.push(payload),
  });
}

/** The custom ids of the buttons in a reply: [confirm, cancel]. */
export function buttonsOf(payload: ReplyPayload): string[] {
  return payload.components?.flatMap((row) => row.components.map((button) => button.custom_id)) ?? [];
}
