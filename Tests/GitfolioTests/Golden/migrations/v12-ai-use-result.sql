ALTER TABLE ai_use ADD COLUMN request_key TEXT CHECK (request_key IS NULL OR length(request_key) = 64);
ALTER TABLE ai_use ADD COLUMN result TEXT CHECK (result IS NULL OR length(result) <= 20000);
CREATE INDEX ai_use_by_request ON ai_use(member_id, request_key) WHERE request_key IS NOT NULL;
