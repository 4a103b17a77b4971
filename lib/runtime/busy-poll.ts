/**
 * Keeps the event loop turning instead of sleeping in the kernel between network reads.
 *
 * A sleeping thread (and, in a virtual machine, its idle vCPU) takes a while to wake when a
 * print arrives, and the wake-up is paid again on every later read; a loop that never sleeps
 * handles the print at once. The cost is one CPU core held at 100% for as long as it runs, so it
 * is opt-in (`KESTREL_BUSY_POLL`): worth it on a machine dedicated to trading, not on a laptop.
 *
 * Each turn is one `setImmediate`, so timers, I/O and HTTP requests run between turns as usual.
 * The turns hold the process open (an unref'd immediate lets the loop block in the kernel, which
 * is what this avoids), so whoever starts the poll stops it on shutdown.
 */
export function startBusyPoll(): () => void {
  let running = true;
  const turn = (): void => {
    if (running) setImmediate(turn);
  };
  turn();
  return () => {
    running = false;
  };
}
