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