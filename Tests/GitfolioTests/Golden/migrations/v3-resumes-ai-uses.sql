CREATE TABLE resume (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    template TEXT NOT NULL CHECK (template IN ('BASIC','STAR','GITFOLIO')),
    language TEXT NOT NULL CHECK (language IN ('ko','en')),
    visibility TEXT NOT NULL DEFAULT 'PRIVATE' CHECK (visibility IN ('PUBLIC','PRIVATE')),
    job_role TEXT CHECK (job_role IN ('BACKEND','FRONTEND','INFRA','AI','GAME')),
    document BLOB NOT NULL CHECK (json_valid(document)),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    like_count INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    view_count INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX resume_by_member ON resume(member_id, updated_at DESC);
CREATE INDEX resume_public ON resume(visibility, updated_at DESC);

-- One row per AI run, charged before the model runs and removed if it fails on our side.
CREATE TABLE ai_use (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    kind TEXT NOT NULL CHECK (kind IN ('GENERATE','REVISE')),
    created_at INTEGER NOT NULL
);
CREATE INDEX ai_use_by_member_day ON ai_use(member_id, day);