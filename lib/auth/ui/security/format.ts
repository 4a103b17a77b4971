/** "2026-11-21 14:05 UTC": one unambiguous form, whatever the browser's locale. */
export function formatInstant(value: Date | string): string {
  return `${new Date(value).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
