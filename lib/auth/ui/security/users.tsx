"use client";

import { useState } from "react";
import { FormError } from "../fields";
import { formatInstant } from "./format";
import { useApiAction } from "./use-action";

export interface UserRow {
  id: string;
  username: string;
  role: "owner" | "viewer";
  totpEnabled: boolean;
  createdAt: Date;
}

/** Everyone with access; the owner invites viewers by link and can remove them. */
export function UsersPanel({ users }: { users: UserRow[] }) {
  const { busy, error, run } = useApiAction();
  const [invite, setInvite] = useState<{ url: string; expiresAt: string } | null>(null);

  async function createInvite() {
    const result = await run<{ path: string; expiresAt: string }>("POST", "/api/users/invites");
    if (result) setInvite({ url: `${window.location.origin}${result.path}`, expiresAt: result.expiresAt });
  }

  return (
    <div className="flex flex-col gap-4">
      <table className="w-full max-w-2xl text-left text-sm" aria-label="Users">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">Two-factor</th>
            <th scope="col">Since</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <td>{user.username}</td>
              <td>{user.role}</td>
              <td>{user.totpEnabled ? "on" : "off"}</td>
              <td>{formatInstant(user.createdAt)}</td>
              <td>
                {user.role === "viewer" && (
                  <button type="button" disabled={busy} onClick={() => run("DELETE", `/api/users/${user.id}`)} className="text-rose-700 underline dark:text-rose-400" aria-label={`Remove ${user.username}`}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div>
        <button type="button" disabled={busy} onClick={createInvite} className="rounded bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
          Invite a viewer
        </button>
      </div>
      {invite && (
        <div role="status" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-800 dark:bg-amber-950">
          <p>Send this link to the viewer. It works once, until {formatInstant(invite.expiresAt)}, and is shown only now.</p>
          <p className="mt-2 break-all font-mono" data-testid="invite-link">
            {invite.url}
          </p>
        </div>
      )}
      <FormError message={error} />
    </div>
  );
}
