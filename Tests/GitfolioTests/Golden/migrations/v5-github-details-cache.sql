CREATE TABLE github_details (
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    repository TEXT NOT NULL CHECK (length(repository) BETWEEN 3 AND 200),
    body BLOB NOT NULL CHECK (json_valid(body)),
    fetched_at INTEGER NOT NULL,
    PRIMARY KEY (member_id, repository)
);