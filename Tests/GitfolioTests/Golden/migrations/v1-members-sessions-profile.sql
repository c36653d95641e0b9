CREATE TABLE member (
    id INTEGER PRIMARY KEY,
    github_id INTEGER UNIQUE,
    local_login TEXT UNIQUE,
    login TEXT NOT NULL CHECK (length(login) BETWEEN 1 AND 100),
    name TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 50),
    email TEXT NOT NULL DEFAULT '' CHECK (length(email) <= 254),
    phone TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 20),
    avatar_url TEXT NOT NULL DEFAULT '' CHECK (length(avatar_url) <= 500),
    job_role TEXT CHECK (job_role IN ('BACKEND','FRONTEND','INFRA','AI','GAME')),
    plan TEXT NOT NULL DEFAULT 'FREE' CHECK (plan IN ('FREE','PRO')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((github_id IS NULL) <> (local_login IS NULL))
);

CREATE TABLE github_token (
    member_id INTEGER PRIMARY KEY REFERENCES member(id) ON DELETE CASCADE,
    ciphertext BLOB NOT NULL,
    scope TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE session (
    token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL CHECK (expires_at > created_at)
) WITHOUT ROWID;
CREATE INDEX session_by_member ON session(member_id);

CREATE TABLE oauth_state (
    state_hash TEXT PRIMARY KEY CHECK (length(state_hash) = 64),
    scope TEXT NOT NULL,
    return_to TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE education (
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    school_type TEXT NOT NULL CHECK (school_type IN ('PRIVATE_EDUCATION','HIGH_SCHOOL','UNIVERSITY_ASSOCIATE_DEGREE','UNIVERSITY_BACHELOR','GRADUATE_SCHOOL_MASTER','GRADUATE_SCHOOL_DOCTOR')),
    school_name TEXT NOT NULL CHECK (length(school_name) BETWEEN 1 AND 100),
    major TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('GRADUATED','ATTENDING','DROP_OUT')),
    start_month TEXT CHECK (start_month GLOB '[12][0-9][0-9][0-9].[01][0-9]'),
    end_month TEXT CHECK (end_month GLOB '[12][0-9][0-9][0-9].[01][0-9]'),
    PRIMARY KEY (member_id, position)
) WITHOUT ROWID;

CREATE TABLE work_experience (
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    company TEXT NOT NULL CHECK (length(company) BETWEEN 1 AND 100),
    title TEXT NOT NULL DEFAULT '',
    work_type TEXT NOT NULL CHECK (work_type IN ('INTERN','CONTRACT_WORKER','FULL_TIME','PRIVATE_BUSINESS','FREELANCER')),
    employment TEXT NOT NULL CHECK (employment IN ('EMPLOYMENT','RESIGNATION')),
    start_month TEXT CHECK (start_month GLOB '[12][0-9][0-9][0-9].[01][0-9]'),
    end_month TEXT CHECK (end_month GLOB '[12][0-9][0-9][0-9].[01][0-9]'),
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (member_id, position)
) WITHOUT ROWID;

CREATE TABLE certificate (
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    issuer TEXT NOT NULL DEFAULT '',
    acquired_month TEXT CHECK (acquired_month GLOB '[12][0-9][0-9][0-9].[01][0-9]'),
    PRIMARY KEY (member_id, position)
) WITHOUT ROWID;

CREATE TABLE link (
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    position INTEGER NOT NULL CHECK (position >= 0),
    title TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
    PRIMARY KEY (member_id, position)
) WITHOUT ROWID;