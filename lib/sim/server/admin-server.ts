/**
 * Localhost-only admin HTTP endpoint: the ledger as JSON and fault scenarios.
 *   GET  /ledger                         the simulator's ledger
 *   GET  /health                         { ok, apiPort, listening }
 *   POST /scenarios/connectivity-loss    { durationMs?, dataLost? }
 *   POST /scenarios/restart              { downMs? }
 *   POST /scenarios/drop-socket          { clientId? }
 *   POST /scenarios/reject-next-order    { text? }
 *   POST /scenarios/delay-fills          { delayMs }
 *   POST /market/price                   { symbol, price }
 */
import http from "node:http";
import { z } from "zod";
import type { SimLedger } from "../model/ledger";
import type { FaultController } from "../session/faults";

export interface AdminTarget {
  ledger(): SimLedger;
  faults: FaultController;
  setPrice(symbol: string, price: number): void;
  health(): Record<string, unknown>;
}

const MAX_BODY_BYTES = 64 * 1024;

interface RouteSpec<S extends z.ZodType> {
  schema: S;
  handle(target: AdminTarget, body: z.infer<S>): unknown;
}

const route = <S extends z.ZodType>(schema: S, handle: (target: AdminTarget, body: z.infer<S>) => unknown): RouteSpec<S> => ({ schema, handle });

const routes: Record<string, RouteSpec<z.ZodType>> = {
  "/scenarios/connectivity-loss": route(
    z.object({ durationMs: z.number().int().min(0).max(600_000).optional(), dataLost: z.boolean().optional() }).strict(),
    (target, body) => {
      void target.faults.connectivityLoss(body);
      return { started: "connectivity-loss" };
    },
  ),
  "/scenarios/restart": route(z.object({ downMs: z.number().int().min(0).max(600_000).optional() }).strict(), (target, body) => {
    void target.faults.nightlyRestart(body);
    return { started: "restart" };
  }),
  "/scenarios/drop-socket": route(z.object({ clientId: z.number().int().optional() }).strict(), (target, body) => ({
    dropped: target.faults.dropSocket(body.clientId),
  })),
  "/scenarios/reject-next-order": route(z.object({ text: z.string().min(1).max(500).optional() }).strict(), (target, body) => {
    target.faults.rejectNextOrder(body.text);
    return { armed: "reject-next-order" };
  }),
  "/scenarios/delay-fills": route(z.object({ delayMs: z.number().int().min(0).max(86_400_000) }).strict(), (target, body) => {
    target.faults.delayFills(body.delayMs);
    return { delayMs: body.delayMs };
  }),
  "/market/price": route(z.object({ symbol: z.string().min(1), price: z.number().positive() }).strict(), (target, body) => {
    target.setPrice(body.symbol, body.price);
    return body;
  }),
};

function reply(response: http.ServerResponse, status: number, payload: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  response.end(JSON.stringify(payload));
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error("request body too large"));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

const isLoopback = (address: string | undefined) => address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";

async function handle(target: AdminTarget, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  if (!isLoopback(request.socket.remoteAddress)) return reply(response, 403, { error: "the admin endpoint only serves localhost" });
  const path = new URL(request.url ?? "/", "http://localhost").pathname;
  if (request.method === "GET" && path === "/ledger") return reply(response, 200, target.ledger());
  if (request.method === "GET" && path === "/health") return reply(response, 200, target.health());
  const spec = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (!spec) return reply(response, 404, { error: `no such endpoint: ${path}` });
  if (request.method !== "POST") return reply(response, 405, { error: `${path} accepts POST only` });
  let json: unknown;
  try {
    const text = await readBody(request);
    json = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    return reply(response, 400, { error: `invalid JSON body: ${error instanceof Error ? error.message : String(error)}` });
  }
  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`);
    return reply(response, 400, { error: `invalid body for ${path}: ${problems.join("; ")}` });
  }
  try {
    reply(response, 200, spec.handle(target, parsed.data));
  } catch (error) {
    reply(response, 422, { error: error instanceof Error ? error.message : String(error) });
  }
}

export async function startAdminServer(target: AdminTarget, port: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    handle(target, request, response).catch((error: unknown) => reply(response, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("admin server has no TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
