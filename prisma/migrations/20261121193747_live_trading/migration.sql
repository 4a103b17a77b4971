-- CreateTable
CREATE TABLE "ib_contracts" (
    "query" TEXT NOT NULL,
    "con_id" INTEGER NOT NULL,
    "symbol" TEXT NOT NULL,
    "sec_type" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "primary_exch" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "isin" TEXT,
    "min_tick" DECIMAL(20,10) NOT NULL,
    "lot_size" DECIMAL(20,10) NOT NULL,
    "time_zone" TEXT NOT NULL,
    "long_name" TEXT NOT NULL,
    "fetched_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ib_contracts_pkey" PRIMARY KEY ("query")
);

-- CreateTable
CREATE TABLE "historical_spans" (
    "id" SERIAL NOT NULL,
    "series_key" TEXT NOT NULL,
    "what_to_show" TEXT NOT NULL,
    "use_rth" BOOLEAN NOT NULL,
    "from_time" BIGINT NOT NULL,
    "to_time" BIGINT NOT NULL,
    "fetched_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "historical_spans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "strategy_instances" (
    "id" TEXT NOT NULL,
    "strategy" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "symbols" TEXT[],
    "parameters" JSONB NOT NULL,
    "state" TEXT NOT NULL,
    "window_start" TEXT,
    "window_end" TEXT,
    "exchange" TEXT NOT NULL DEFAULT 'XNYS',
    "max_cycles_per_day" INTEGER NOT NULL DEFAULT 3,
    "bar_seconds" INTEGER NOT NULL DEFAULT 60,
    "risk_percent" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "allow_delayed_data" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "strategy_instances_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "historical_spans_series_key_what_to_show_use_rth_idx" ON "historical_spans"("series_key", "what_to_show", "use_rth");
