-- AlterTable
ALTER TABLE "flat_by_schedules" ADD COLUMN     "last_acted_at" TIMESTAMPTZ(6);
