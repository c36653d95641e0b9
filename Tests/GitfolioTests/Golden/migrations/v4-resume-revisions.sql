CREATE TABLE resume_revision (
    id INTEGER PRIMARY KEY,
    resume_id INTEGER NOT NULL REFERENCES resume(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    path TEXT NOT NULL,
    previous_document BLOB NOT NULL CHECK (json_valid(previous_document)),
    created_at INTEGER NOT NULL,
    UNIQUE (resume_id, version)
);