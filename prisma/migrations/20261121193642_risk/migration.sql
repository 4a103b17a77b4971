-- CreateTable
CREATE TABLE "trading_state" (
    "account" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "since" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "reason" TEXT,
    "changed_by" TEXT,

    CONSTRAINT "trading_state_pkey" PRIMARY KEY ("account")
);

-- CreateTable
CREATE TABLE "risk_denials" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "account" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "strategy" TEXT,
    "rule" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "intent" JSONB NOT NULL,

    CONSTRAINT "risk_denials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "risk_settings" (
    "account" TEXT NOT NULL,
    "limits" JSONB NOT NULL DEFAULT '{}',
    "guardian" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "risk_settings_pkey" PRIMARY KEY ("account")
);

-- CreateTable
CREATE TABLE "flat_by_schedules" (
    "id" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "strategy" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "local_time" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "flat_by_schedules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "risk_denials_at_idx" ON "risk_denials"("at");
