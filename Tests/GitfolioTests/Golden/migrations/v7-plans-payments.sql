CREATE TABLE checkout (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    partner_order_id TEXT NOT NULL UNIQUE CHECK (length(partner_order_id) BETWEEN 1 AND 100),
    tid TEXT NOT NULL UNIQUE CHECK (length(tid) BETWEEN 1 AND 50),
    amount INTEGER NOT NULL CHECK (amount > 0),
    language TEXT NOT NULL CHECK (language IN ('ko','en')),
    status TEXT NOT NULL CHECK (status IN ('READY','APPROVING','APPROVED','CANCELLED','FAILED')),
    lease_until INTEGER CHECK ((status = 'APPROVING') = (lease_until IS NOT NULL)),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL CHECK (expires_at > created_at),
    updated_at INTEGER NOT NULL
);
CREATE INDEX checkout_by_member ON checkout(member_id, status);
CREATE INDEX checkout_by_expiry ON checkout(expires_at);

CREATE TABLE subscription (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    sid TEXT NOT NULL UNIQUE CHECK (length(sid) BETWEEN 1 AND 50),
    partner_user_id TEXT NOT NULL CHECK (length(partner_user_id) BETWEEN 1 AND 100),
    item_name TEXT NOT NULL CHECK (length(item_name) BETWEEN 1 AND 100),
    amount INTEGER NOT NULL CHECK (amount > 0),
    status TEXT NOT NULL CHECK (status IN ('ACTIVE','CANCELLED','ENDED')),
    anchor_day INTEGER NOT NULL CHECK (anchor_day BETWEEN 1 AND 31),
    period INTEGER NOT NULL CHECK (period >= 1),
    paid_until TEXT NOT NULL CHECK (paid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    end_reason TEXT CHECK (end_reason IN ('CANCELLED','UNPAID','INACTIVE_AT_KAKAOPAY')),
    started_at INTEGER NOT NULL,
    cancelled_at INTEGER,
    ended_at INTEGER,
    CHECK ((status = 'ENDED') = (ended_at IS NOT NULL AND end_reason IS NOT NULL)),
    CHECK (status <> 'CANCELLED' OR cancelled_at IS NOT NULL)
);
CREATE UNIQUE INDEX subscription_live ON subscription(member_id) WHERE status <> 'ENDED';
CREATE INDEX subscription_due ON subscription(paid_until) WHERE status <> 'ENDED';

CREATE TABLE charge (
    subscription_id INTEGER NOT NULL REFERENCES subscription(id) ON DELETE CASCADE,
    period INTEGER NOT NULL CHECK (period >= 2),
    partner_order_id TEXT NOT NULL UNIQUE CHECK (length(partner_order_id) BETWEEN 1 AND 100),
    status TEXT NOT NULL CHECK (status IN ('PENDING','PAID','DECLINED')),
    attempts INTEGER NOT NULL CHECK (attempts >= 1),
    last_attempt_on TEXT NOT NULL CHECK (last_attempt_on GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    last_error TEXT,
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (subscription_id, period)
) WITHOUT ROWID;

CREATE TABLE payment (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscription(id) ON DELETE CASCADE,
    period INTEGER NOT NULL CHECK (period >= 1),
    partner_order_id TEXT NOT NULL UNIQUE,
    tid TEXT,
    aid TEXT UNIQUE,
    amount INTEGER NOT NULL CHECK (amount > 0),
    vat INTEGER,
    approved_at TEXT NOT NULL,
    period_start TEXT NOT NULL CHECK (period_start GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    period_end TEXT NOT NULL CHECK (period_end GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND period_end > period_start),
    created_at INTEGER NOT NULL,
    UNIQUE (subscription_id, period)
);

CREATE TABLE billing_notice (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('CHARGE_DECLINED','ENDED_UNPAID')),
    day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    created_at INTEGER NOT NULL,
    UNIQUE (member_id, kind, day)
);