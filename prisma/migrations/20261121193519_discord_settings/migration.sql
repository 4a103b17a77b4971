-- CreateTable
CREATE TABLE "discord_settings" (
    "id" TEXT NOT NULL DEFAULT 'default',
    "levels" JSONB NOT NULL DEFAULT '{}',
    "allowed_user_ids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "others_policy" TEXT NOT NULL DEFAULT 'read-only',
    "webhook_url_cipher" TEXT,
    "bot_token_cipher" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" TEXT,

    CONSTRAINT "discord_settings_pkey" PRIMARY KEY ("id")
);
