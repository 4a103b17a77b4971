-- CreateTable
CREATE TABLE "bar_series" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "bar_size" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "bar_count" INTEGER NOT NULL,
    "first_time" BIGINT,
    "last_time" BIGINT,
    "data_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "bar_series_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stored_bars" (
    "series_id" INTEGER NOT NULL,
    "time" BIGINT NOT NULL,
    "open" DOUBLE PRECISION NOT NULL,
    "high" DOUBLE PRECISION NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "close" DOUBLE PRECISION NOT NULL,
    "volume" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "stored_bars_pkey" PRIMARY KEY ("series_id","time")
);

-- CreateTable
CREATE TABLE "research_sweeps" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "spec" JSONB NOT NULL,
    "total_runs" INTEGER NOT NULL,
    "total_chunks" INTEGER NOT NULL,
    "code_version" TEXT NOT NULL,
    "summary" JSONB,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),

    CONSTRAINT "research_sweeps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "research_chunks" (
    "sweep_id" INTEGER NOT NULL,
    "chunk" INTEGER NOT NULL,
    "runs" INTEGER NOT NULL,
    "worker" TEXT NOT NULL,
    "finished_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "research_chunks_pkey" PRIMARY KEY ("sweep_id","chunk")
);

-- CreateTable
CREATE TABLE "research_runs" (
    "id" BIGSERIAL NOT NULL,
    "sweep_id" INTEGER NOT NULL,
    "run_key" TEXT NOT NULL,
    "param_index" INTEGER NOT NULL,
    "parameters" JSONB NOT NULL,
    "series_id" INTEGER NOT NULL,
    "sharpe" DOUBLE PRECISION NOT NULL,
    "total_return" DOUBLE PRECISION NOT NULL,
    "max_drawdown" DOUBLE PRECISION NOT NULL,
    "trade_count" INTEGER NOT NULL,
    "oos_sharpe" DOUBLE PRECISION,
    "metrics" JSONB NOT NULL,
    "walk_forward" JSONB NOT NULL,
    "blocks" JSONB NOT NULL,
    "equity" JSONB NOT NULL,
    "data_hash" TEXT NOT NULL,
    "code_version" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "research_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "bar_series_key_key" ON "bar_series"("key");

-- CreateIndex
CREATE UNIQUE INDEX "research_runs_run_key_key" ON "research_runs"("run_key");

-- CreateIndex
CREATE INDEX "research_runs_sweep_id_sharpe_idx" ON "research_runs"("sweep_id", "sharpe");

-- CreateIndex
CREATE INDEX "research_runs_sweep_id_param_index_idx" ON "research_runs"("sweep_id", "param_index");

-- AddForeignKey
ALTER TABLE "stored_bars" ADD CONSTRAINT "stored_bars_series_id_fkey" FOREIGN KEY ("series_id") REFERENCES "bar_series"("id") ON DELETE CASCADE ON UPDATE CASCADE;
