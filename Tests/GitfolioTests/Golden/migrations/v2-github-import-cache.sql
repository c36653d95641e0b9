CREATE TABLE github_import (
    member_id INTEGER PRIMARY KEY REFERENCES member(id) ON DELETE CASCADE,
    body BLOB NOT NULL,
    etag TEXT,
    fetched_at INTEGER NOT NULL
);