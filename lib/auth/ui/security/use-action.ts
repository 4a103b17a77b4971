"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { sendJson } from "../send-json";

/** One API call behind a form: busy flag, the server's error message, and a page refresh on success. */
export function useApiAction() {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function run<T>(method: string, url: string, body?: unknown): Promise<T | null> {
    setBusy(true);
    setError(null);
    const result = await sendJson<T>(method, url, body);
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return null;
    }
    router.refresh();
    return result.data;
  }

  return { busy, error, run };
}

export const formText = (form: FormData, name: string) => String(form.get(name) ?? "");
