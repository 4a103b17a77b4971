/** The simulator's order states in which an order can still fill (the ledger reports held orders as Held). */
const WORKING = new Set(["PendingSubmit", "PreSubmitted", "Submitted", "Held"]);

export function isWorking(order: { status: string }): boolean {
  return WORKING.has(order.status);
}
