import { wallTimeAt } from "@/lib/core/time/zoned-time";

const pad = (value: number) => String(value).padStart(2, "0");

/** `HH:MM:SS` on the exchange's clock. */
export function exchangeTime(instant: number, timeZone: string): string {
  const wall = wallTimeAt(instant, timeZone);
  return `${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}`;
}

/** `YYYY-MM-DD HH:MM` on the exchange's clock. */
export function exchangeDateTime(instant: number, timeZone: string): string {
  const wall = wallTimeAt(instant, timeZone);
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)} ${pad(wall.hour)}:${pad(wall.minute)}`;
}

export function holding(ms: number | null): string {
  if (ms === null) return "open";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h ${minutes % 60} min` : `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
