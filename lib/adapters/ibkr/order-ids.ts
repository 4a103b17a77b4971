import type { PrismaClient } from "@/lib/generated/prisma/client";

/** Where the gateway client takes order ids from; every id it hands out is used at most once, ever. */
export interface OrderIdSource {
  /** The gateway's nextValidId: ids below it are taken. */
  nextValid(id: number): void;
  /** An id of this client seen on an open order or execution: it and everything below are taken. */
  seen(id: number): void;
  /** Called after each (re)connect, before any order: resolves once ids are reserved for use. */
  prepare(account: string, clientId: number): Promise<void>;
  /** The next unused id; throws {@link OrderIdsNotReservedError} when none is reserved yet. */
  take(): number;
  /** Resolves once a reservation in progress is stored (at once when none is). */
  whenReserved(): Promise<void>;
}

export class OrderIdsNotReservedError extends Error {
  constructor(detail: string) {
    super(`No order id is reserved yet (${detail}); orders wait until the reservation is stored.`);
    this.name = "OrderIdsNotReservedError";
  }
}

/** Ids from nextValidId and what was seen, kept in memory only (tests and tools that place no real orders). */
export class MemoryOrderIds implements OrderIdSource {
  protected next = 1;

  nextValid(id: number): void {
    this.next = Math.max(this.next, id);
  }

  seen(id: number): void {
    this.next = Math.max(this.next, id + 1);
  }

  async prepare(_account: string, _clientId: number): Promise<void> {}

  take(): number {
    return this.next++;
  }

  async whenReserved(): Promise<void> {}
}

/**
 * Ids reserved in blocks in Postgres before use: next id = max(nextValidId, high-water mark + 1).
 * After a crash or a gateway restart that rolls nextValidId back, no id at or below the
 * stored mark is used again (a few reserved but unused ids are skipped, which is harmless).
 */
export class PostgresOrderIds extends MemoryOrderIds {
  private reservedThrough = 0;
  private key: { account: string; clientId: number } | null = null;
  private refill: Promise<void> | null = null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly blockSize = 200,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    super();
  }

  get highWaterMark(): number {
    return this.reservedThrough;
  }

  override nextValid(id: number): void {
    super.nextValid(id);
    this.refillIfLow();
  }

  override seen(id: number): void {
    super.seen(id);
    this.refillIfLow();
  }

  override async prepare(account: string, clientId: number): Promise<void> {
    if (this.key?.account !== account || this.key.clientId !== clientId) {
      this.key = { account, clientId };
      this.reservedThrough = 0;
    }
    const stored = await this.prisma.orderIdMark.findUnique({ where: { account_clientId: { account, clientId } } });
    // Ids up to the stored mark may have gone out before the connection dropped: start above it.
    this.next = Math.max(this.next, (stored?.reserved ?? 0) + 1);
    await this.reserve();
  }

  override take(): number {
    if (!this.key) throw new OrderIdsNotReservedError("not prepared");
    if (this.next > this.reservedThrough) {
      this.refillIfLow();
      throw new OrderIdsNotReservedError(`next id ${this.next} is above the stored mark ${this.reservedThrough}`);
    }
    const id = this.next++;
    this.refillIfLow();
    return id;
  }

  override async whenReserved(): Promise<void> {
    this.refillIfLow();
    await this.refill;
  }

  private refillIfLow(): void {
    if (!this.key || this.refill || this.reservedThrough - this.next >= this.blockSize / 2) return;
    this.refill = this.reserve()
      .catch(this.onError)
      .finally(() => {
        this.refill = null;
        this.refillIfLow();
      });
  }

  private async reserve(): Promise<void> {
    if (!this.key) return;
    const target = Math.max(this.next, this.reservedThrough + 1) + this.blockSize - 1;
    if (target > 2_147_483_647) throw new Error("order ids exhausted for this client id (int32)");
    const { account, clientId } = this.key;
    const rows = await this.prisma.$queryRaw<{ reserved: number }[]>`
      INSERT INTO order_id_marks (account, client_id, reserved, updated_at) VALUES (${account}, ${clientId}, ${target}, now())
      ON CONFLICT (account, client_id) DO UPDATE SET reserved = GREATEST(order_id_marks.reserved, EXCLUDED.reserved), updated_at = now()
      RETURNING reserved`;
    this.reservedThrough = Math.max(this.reservedThrough, rows[0]?.reserved ?? target);
  }
}
