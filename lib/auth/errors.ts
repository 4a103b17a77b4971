const BRAND = Symbol.for("kestrel.http-error");

/**
 * An error the web edge turns into `{ error: { code, message } }` with its status.
 *
 * server.ts (run by tsx) and Next's route bundles each load their own copy of this module, so an
 * error thrown by the service server.ts created must still be recognised in a route handler:
 * `instanceof` checks a global brand, not the class identity.
 */
export class HttpError extends Error {
  readonly [BRAND] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const unauthenticated = (message = "Sign in first: this needs a session or an API token.") =>
  new HttpError(401, "unauthenticated", message);

export const forbidden = (message: string) => new HttpError(403, "forbidden", message);

export const badRequest = (message: string) => new HttpError(400, "invalid_request", message);

export const notFound = (message: string) => new HttpError(404, "not_found", message);

export const conflict = (message: string) => new HttpError(409, "conflict", message);
