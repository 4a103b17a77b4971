-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "account" TEXT NOT NULL,
    "client_id" INTEGER NOT NULL,
    "order_id" INTEGER NOT NULL,
    "perm_id" BIGINT,
    "parent_id" INTEGER,
    "symbol" TEXT NOT NULL,
    "con_id" INTEGER,
    "sec_type" TEXT NOT NULL DEFAULT 'STK',
    "exchange" TEXT NOT NULL DEFAULT 'SMART',
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "side" TEXT NOT NULL,
    "order_type" TEXT NOT NULL,
    "quantity" DECIMAL(20,8) NOT NULL,
    "limit_price" DECIMAL(20,8),
    "aux_price" DECIMAL(20,8),
    "time_in_force" TEXT NOT NULL DEFAULT 'DAY',
    "oca_group" TEXT,
    "order_ref" TEXT,
    "source" TEXT NOT NULL DEFAULT 'broker',
    "status" TEXT NOT NULL,
    "filled" DECIMAL(20,8) NOT NULL DEFAULT 0,
    "remaining" DECIMAL(20,8) NOT NULL DEFAULT 0,
    "avg_fill_price" DECIMAL(20,8),
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "order_status_events" (
    "id" BIGSERIAL NOT NULL,
    "order_uuid" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "filled" DECIMAL(20,8) NOT NULL,
    "remaining" DECIMAL(20,8) NOT NULL,
    "avg_fill_price" DECIMAL(20,8),
    "last_fill_price" DECIMAL(20,8),
    "why_held" TEXT,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_status_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "executions" (
    "exec_id" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "client_id" INTEGER NOT NULL,
    "order_id" INTEGER NOT NULL,
    "perm_id" BIGINT,
    "symbol" TEXT NOT NULL,
    "con_id" INTEGER,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "exchange" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "shares" DECIMAL(20,8) NOT NULL,
    "price" DECIMAL(20,8) NOT NULL,
    "cum_qty" DECIMAL(20,8) NOT NULL,
    "avg_price" DECIMAL(20,8) NOT NULL,
    "order_ref" TEXT,
    "executed_at" TIMESTAMPTZ(6) NOT NULL,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "executions_pkey" PRIMARY KEY ("exec_id")
);

-- CreateTable
CREATE TABLE "commissions" (
    "exec_id" TEXT NOT NULL,
    "commission" DECIMAL(20,8) NOT NULL,
    "currency" TEXT NOT NULL,
    "realized_pnl" DECIMAL(20,8),
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "commissions_pkey" PRIMARY KEY ("exec_id")
);

-- CreateTable
CREATE TABLE "position_snapshots" (
    "id" BIGSERIAL NOT NULL,
    "account" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "con_id" INTEGER,
    "quantity" DECIMAL(20,8) NOT NULL,
    "avg_cost" DECIMAL(20,8) NOT NULL,
    "taken_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "position_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "ip" TEXT,
    "result" TEXT NOT NULL,
    "details" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "orders_perm_id_key" ON "orders"("perm_id");

-- CreateIndex
CREATE INDEX "orders_symbol_idx" ON "orders"("symbol");

-- CreateIndex
CREATE UNIQUE INDEX "orders_account_client_id_order_id_key" ON "orders"("account", "client_id", "order_id");

-- CreateIndex
CREATE INDEX "order_status_events_order_uuid_received_at_idx" ON "order_status_events"("order_uuid", "received_at");

-- CreateIndex
CREATE INDEX "executions_executed_at_idx" ON "executions"("executed_at");

-- CreateIndex
CREATE INDEX "executions_symbol_executed_at_idx" ON "executions"("symbol", "executed_at");

-- CreateIndex
CREATE INDEX "position_snapshots_account_taken_at_idx" ON "position_snapshots"("account", "taken_at");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- AddForeignKey
ALTER TABLE "order_status_events" ADD CONSTRAINT "order_status_events_order_uuid_fkey" FOREIGN KEY ("order_uuid") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;
