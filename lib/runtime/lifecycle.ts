import type { Logger } from "pino";
import { withTimeout } from "@/lib/adapters/timeout";

interface Stoppable {
  name: string;
  stop: () => Promise<void> | void;
}

/**
 * Components register as they start; `stopAll` stops them in reverse order, each within
 * its own time limit, so one stuck component never keeps the rest running.
 */
export class Lifecycle {
  private readonly started: Stoppable[] = [];
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly log: Logger,
    private readonly perComponentTimeoutMs = 5_000,
  ) {}

  add(name: string, stop: Stoppable["stop"]): void {
    this.started.push({ name, stop });
  }

  stopAll(): Promise<void> {
    this.stopping ??= this.stopInReverse();
    return this.stopping;
  }

  private async stopInReverse(): Promise<void> {
    for (const component of [...this.started].reverse()) {
      const started = Date.now();
      try {
        await withTimeout(Promise.resolve(component.stop()), this.perComponentTimeoutMs, `${component.name} did not stop within ${this.perComponentTimeoutMs} ms`);
        this.log.info({ component: component.name, ms: Date.now() - started }, "stopped");
      } catch (error) {
        this.log.error({ component: component.name, err: error }, "did not stop cleanly");
      }
    }
  }
}
