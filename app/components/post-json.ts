export type ActionOutcome<T> = { ok: true; body: T } | { ok: false; message: string };

/** A POST whose failure becomes one readable sentence: denied, refused, missing or unreachable. */
export async function postJson<T>(url: string, body: unknown, method: "POST" | "PUT" = "POST"): Promise<ActionOutcome<T>> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch {
    return { ok: false, message: "The server could not be reached (disconnected). Nothing was done." };
  }
  const payload = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (response.ok || response.status === 207) return { ok: true, body: payload as T };
  const reason = payload?.error?.message;
  if (response.status === 404 && !reason) return { ok: false, message: "This control is not available on this server yet." };
  if (response.status === 403) return { ok: false, message: `Denied: ${reason ?? "your account may not do this."}` };
  if (response.status === 401) return { ok: false, message: "Your session has ended; sign in again." };
  return { ok: false, message: reason ? `Refused: ${reason}` : `The server answered ${response.status}.` };
}
