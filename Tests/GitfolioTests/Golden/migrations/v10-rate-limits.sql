CREATE TABLE rate_limit (
    bucket TEXT NOT NULL CHECK (length(bucket) BETWEEN 1 AND 100),
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    PRIMARY KEY (bucket, window_start)
) WITHOUT ROWID;
CREATE INDEX rate_limit_by_window ON rate_limit(window_start);
