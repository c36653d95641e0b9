/// The schema, one literal per shipped migration, applied in order by `Database`.
///
/// A shipped migration is never edited, and its text never depends on live values: enumerations
/// are written out here as they were when the migration shipped (a test compares each with a stored
/// copy). A new job role or school type comes as a new migration.
public enum Schema {
    /// Every migration, oldest first: its identifier (as recorded in `schema_migrations`) and its SQL.
    public static let migrations: [(identifier: String, sql: String)] = [
        ("v1-members-sessions-profile", v1),
        ("v2-github-import-cache", v2),
        ("v3-resumes-ai-uses", v3),
        ("v4-resume-revisions", v4),
        ("v5-github-details-cache", v5),
        ("v6-hub", v6),
        ("v7-plans-payments", v7),
        ("v8-hub-counts-index", v8),
        ("v9-ai-use-pending", v9),
        ("v10-rate-limits", v10),
        ("v11-resume-evidence", v11),
        ("v12-ai-use-result", v12),
    ]

    static let v1 = """
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
    """

    /// The member's imported GitHub data (JSON), with the list's ETag for revalidation.
    static let v2 = """
    CREATE TABLE github_import (
        member_id INTEGER PRIMARY KEY REFERENCES member(id) ON DELETE CASCADE,
        body BLOB NOT NULL,
        etag TEXT,
        fetched_at INTEGER NOT NULL
    );
    """

    /// Resumes (a JSON document plus the columns the hub filters and sorts on) and AI uses.
    static let v3 = """
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
    """

    /// Accepted revisions of a resume, newest last: each keeps the whole document before it, so an
    /// undo restores exactly what was there.
    static let v4 = """
    CREATE TABLE resume_revision (
        id INTEGER PRIMARY KEY,
        resume_id INTEGER NOT NULL REFERENCES resume(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        path TEXT NOT NULL,
        previous_document BLOB NOT NULL CHECK (json_valid(previous_document)),
        created_at INTEGER NOT NULL,
        UNIQUE (resume_id, version)
    );
    """

    /// GitHub's REST details of a repository for a member (their commits, pull requests, manifests),
    /// kept for an hour so that generating again soon costs no rate limit.
    static let v5 = """
    CREATE TABLE github_details (
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        repository TEXT NOT NULL CHECK (length(repository) BETWEEN 3 AND 200),
        body BLOB NOT NULL CHECK (json_valid(body)),
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (member_id, repository)
    );
    """

    /// The hub: likes (one per member and resume), comments (optionally anchored to a part of the
    /// resume), views (one per resume, visitor and hour), the owner's notifications, and the changes the
    /// static site must catch up with. Counts on `resume` are kept by triggers, so every path that adds
    /// or removes a like or a comment — a cascade from a deleted account included — keeps them exact,
    /// and every change to what a public page shows is recorded in the same transaction.
    static let v6 = """
    ALTER TABLE resume ADD COLUMN comment_count INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0);
    ALTER TABLE resume ADD COLUMN published_at INTEGER;
    -- What the hub's card shows of the document (name, skills, schools), as JSON, set when it is saved.
    ALTER TABLE resume ADD COLUMN card TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(card));
    CREATE INDEX resume_hub ON resume(visibility, published_at DESC, id DESC);

    CREATE TABLE resume_like (
        resume_id INTEGER NOT NULL REFERENCES resume(id) ON DELETE CASCADE,
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (resume_id, member_id)
    ) WITHOUT ROWID;
    CREATE INDEX resume_like_by_member ON resume_like(member_id, created_at DESC);

    CREATE TABLE comment (
        id INTEGER PRIMARY KEY,
        resume_id INTEGER NOT NULL REFERENCES resume(id) ON DELETE CASCADE,
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        anchor TEXT CHECK (anchor IS NULL OR length(anchor) BETWEEN 1 AND 100),
        body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX comment_by_resume ON comment(resume_id, id DESC);
    CREATE INDEX comment_by_member ON comment(member_id, created_at DESC);

    CREATE TABLE resume_view (
        resume_id INTEGER NOT NULL REFERENCES resume(id) ON DELETE CASCADE,
        visitor TEXT NOT NULL CHECK (length(visitor) BETWEEN 3 AND 64),
        hour INTEGER NOT NULL,
        PRIMARY KEY (resume_id, visitor, hour)
    ) WITHOUT ROWID;

    CREATE TABLE notification (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('LIKE','COMMENT')),
        resume_id INTEGER NOT NULL REFERENCES resume(id) ON DELETE CASCADE,
        actor_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        comment_id INTEGER REFERENCES comment(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        read_at INTEGER,
        CHECK ((kind = 'COMMENT') = (comment_id IS NOT NULL))
    );
    CREATE INDEX notification_by_member ON notification(member_id, id DESC);
    CREATE INDEX notification_unread ON notification(member_id) WHERE read_at IS NULL;
    -- A like notifies once per member and resume, ever: unliking and liking again does not spam.
    CREATE UNIQUE INDEX notification_like_once ON notification(resume_id, actor_id) WHERE kind = 'LIKE';

    -- Public pages the static site must render again (or remove), recorded with the change itself:
    -- `counts` when only a like or a comment changed what a page shows, `page` for anything else.
    CREATE TABLE site_change (
        id INTEGER PRIMARY KEY,
        resume_id INTEGER NOT NULL,
        kind TEXT NOT NULL DEFAULT 'page' CHECK (kind IN ('page','counts')),
        created_at INTEGER NOT NULL
    );

    CREATE TRIGGER resume_like_added AFTER INSERT ON resume_like BEGIN
        UPDATE resume SET like_count = like_count + 1 WHERE id = NEW.resume_id;
        INSERT INTO site_change (resume_id, kind, created_at) VALUES (NEW.resume_id, 'counts', NEW.created_at);
    END;
    CREATE TRIGGER resume_like_removed AFTER DELETE ON resume_like BEGIN
        UPDATE resume SET like_count = like_count - 1 WHERE id = OLD.resume_id;
        INSERT INTO site_change (resume_id, kind, created_at) VALUES (OLD.resume_id, 'counts', CAST(strftime('%s') AS INTEGER));
    END;
    CREATE TRIGGER comment_added AFTER INSERT ON comment BEGIN
        UPDATE resume SET comment_count = comment_count + 1 WHERE id = NEW.resume_id;
        INSERT INTO site_change (resume_id, kind, created_at) VALUES (NEW.resume_id, 'counts', NEW.created_at);
    END;
    CREATE TRIGGER comment_removed AFTER DELETE ON comment BEGIN
        UPDATE resume SET comment_count = comment_count - 1 WHERE id = OLD.resume_id;
        INSERT INTO site_change (resume_id, kind, created_at) VALUES (OLD.resume_id, 'counts', CAST(strftime('%s') AS INTEGER));
    END;
    CREATE TRIGGER resume_page_changed AFTER UPDATE OF document, visibility, title, card ON resume
        WHEN NEW.visibility = 'PUBLIC' OR OLD.visibility = 'PUBLIC' BEGIN
        INSERT INTO site_change (resume_id, created_at) VALUES (NEW.id, NEW.updated_at);
    END;
    CREATE TRIGGER resume_page_removed AFTER DELETE ON resume WHEN OLD.visibility = 'PUBLIC' BEGIN
        INSERT INTO site_change (resume_id, created_at) VALUES (OLD.id, CAST(strftime('%s') AS INTEGER));
    END;
    """

    /// PRO through KakaoPay's recurring payments: a member's attempt to subscribe (`checkout`, bound to
    /// the member; the `tid` KakaoPay gives is kept here and never read from a URL), the subscription
    /// (one live per member; `paid_until` is the Asia/Seoul date the paid period ends and the next charge
    /// is due), each monthly charge (written before KakaoPay is asked, so a run killed at any point is
    /// resumed, never repeated), the payments made, and what members are told about failed charges.
    static let v7 = """
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
    """

    /// The hub's counts file lists every public resume's likes, views and comments, and the site's
    /// follower writes it after every like: from the table itself that read every page of `resume`,
    /// documents included (tens of megabytes for 10,000 resumes, again after each write by another
    /// process), from this covering index a few hundred kilobytes.
    static let v8 = """
    CREATE INDEX resume_hub_counts ON resume(visibility, id, like_count, view_count, comment_count);
    """

    /// An AI use is pending (`pending_until`, epoch seconds) from its charge until its result is kept;
    /// a pending use whose process died (killed mid-request) is given back once that time is past.
    static let v9 = """
    ALTER TABLE ai_use ADD COLUMN pending_until INTEGER;
    """

    /// Requests counted per action and member or client address (a keyed hash, never the address)
    /// in fixed windows (`RateLimits`).
    static let v10 = """
    CREATE TABLE rate_limit (
        bucket TEXT NOT NULL CHECK (length(bucket) BETWEEN 1 AND 100),
        window_start INTEGER NOT NULL,
        count INTEGER NOT NULL CHECK (count > 0),
        PRIMARY KEY (bucket, window_start)
    ) WITHOUT ROWID;
    CREATE INDEX rate_limit_by_window ON rate_limit(window_start);
    """

    /// The evidence a generated resume was written from, kept beside it (not in `resume`, whose rows
    /// every list and hub build reads) so the resume can change language later without GitHub.
    static let v11 = """
    CREATE TABLE resume_evidence (
        resume_id INTEGER PRIMARY KEY REFERENCES resume(id) ON DELETE CASCADE,
        evidence BLOB NOT NULL CHECK (json_valid(evidence))
    );
    """

    /// A revision's rewrite is kept with its use, in the transaction that keeps the use (as `generate`
    /// keeps its resume): a `revise` killed after that and before its answer leaves the result with the
    /// use instead of a use kept for nothing. `request_key` is a hash of what was asked.
    static let v12 = """
    ALTER TABLE ai_use ADD COLUMN request_key TEXT CHECK (request_key IS NULL OR length(request_key) = 64);
    ALTER TABLE ai_use ADD COLUMN result TEXT CHECK (result IS NULL OR length(result) <= 20000);
    CREATE INDEX ai_use_by_request ON ai_use(member_id, request_key) WHERE request_key IS NOT NULL;
    """
}
