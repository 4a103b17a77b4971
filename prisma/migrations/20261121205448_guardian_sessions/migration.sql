-- CreateTable
CREATE TABLE "guardian_sessions" (
    "account" TEXT NOT NULL,
    "session_day" TEXT NOT NULL,
    "opening_equity" DOUBLE PRECISION NOT NULL,
    "peak_equity" DOUBLE PRECISION NOT NULL,
    "level" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "guardian_sessions_pkey" PRIMARY KEY ("account","session_day")
);
