-- CreateTable
CREATE TABLE "daily_reports" (
    "exchange" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "built_at" TIMESTAMPTZ(6) NOT NULL,
    "schema_version" INTEGER NOT NULL,
    "realized_pnl" DECIMAL(20,8) NOT NULL,
    "net" DECIMAL(20,8) NOT NULL,
    "fills" INTEGER NOT NULL,
    "reconciled" TEXT NOT NULL,
    "report" JSONB NOT NULL,

    CONSTRAINT "daily_reports_pkey" PRIMARY KEY ("exchange","day")
);
