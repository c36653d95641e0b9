CREATE TABLE resume_evidence (
    resume_id INTEGER PRIMARY KEY REFERENCES resume(id) ON DELETE CASCADE,
    evidence BLOB NOT NULL CHECK (json_valid(evidence))
);
