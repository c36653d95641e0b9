ALTER TABLE ai_use ADD COLUMN pending_until INTEGER;
