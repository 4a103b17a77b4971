-- CreateTable
CREATE TABLE "alert_history" (
    "id" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "symbol" TEXT,
    "strategy" TEXT,
    "details" JSONB,

    CONSTRAINT "alert_history_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_history_at_idx" ON "alert_history"("at");
