export type JsonResult<T> = { ok: true; data: T } | { ok: false; status: number; code: string; message: string };

/** Calls a Kestrel API route from the browser; errors come back as the server's message. */
export async function sendJson<T = Record<string, unknown>>(method: string, url: string, body?: unknown): Promise<JsonResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, status: 0, code: "network", message: "Kestrel did not answer; is the server running?" };
  }
  const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  if (response.ok) return { ok: true, data: payload as T };
  return {
    ok: false,
    status: response.status,
    code: payload.error?.code ?? "error",
    message: payload.error?.message ?? `The server answered ${response.status}.`,
  };
}
