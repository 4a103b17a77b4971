-- CreateTable
CREATE TABLE "order_id_marks" (
    "account" TEXT NOT NULL,
    "client_id" INTEGER NOT NULL,
    "reserved" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "order_id_marks_pkey" PRIMARY KEY ("account","client_id")
);

-- CreateTable
CREATE TABLE "order_decisions" (
    "id" TEXT NOT NULL,
    "order_ref" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "quantity" DECIMAL(20,8) NOT NULL,
    "order_id" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(6),

    CONSTRAINT "order_decisions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "order_decisions_order_ref_key" ON "order_decisions"("order_ref");

-- CreateIndex
CREATE INDEX "order_decisions_status_idx" ON "order_decisions"("status");
