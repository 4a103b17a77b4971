/** The owner account the end-to-end server is started with (KESTREL_ADMIN_USER / _PASSWORD). */
export const E2E_ADMIN = { username: "owner", password: "kestrel-e2e-password-1" } as const;
