-- CreateTable
CREATE TABLE "backtest_runs" (
    "id" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "error" TEXT,
    "request" JSONB NOT NULL,
    "summary" JSONB,
    "chart" JSONB,
    "equity_csv_gz" BYTEA,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "backtest_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "backtest_runs_created_at_id_idx" ON "backtest_runs"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "backtest_runs_status_idx" ON "backtest_runs"("status");
