-- The editorial workflow: post metadata, tags, revisions (the live text of
-- a published post is one of them), review comments, notifications and the
-- addresses a post had before.

ALTER TABLE site_settings ADD COLUMN review_required INTEGER NOT NULL DEFAULT 1 CHECK (review_required IN (0, 1));

ALTER TABLE posts ADD COLUMN cover_url TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN cover_alt TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN seo_title TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN seo_description TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN canonical_url TEXT NOT NULL DEFAULT '';
ALTER TABLE posts ADD COLUMN show_review INTEGER NOT NULL DEFAULT 1 CHECK (show_review IN (0, 1));
-- When a scheduled post goes live.
ALTER TABLE posts ADD COLUMN publish_at TEXT;
ALTER TABLE posts ADD COLUMN trashed_at TEXT;
-- The revision readers see while the post is published or scheduled; the
-- columns of `posts` are the working copy, which may hold a pending update.
ALTER TABLE posts ADD COLUMN live_revision_id INTEGER;

CREATE TABLE post_revisions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id          INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    -- The post's version this revision holds.
    version          INTEGER NOT NULL,
    saved_by         INTEGER NOT NULL REFERENCES users (id),
    -- autosave, save, status, restore or publish.
    kind             TEXT NOT NULL,
    status           TEXT NOT NULL,
    title            TEXT NOT NULL,
    slug             TEXT NOT NULL,
    body             TEXT NOT NULL,
    excerpt          TEXT NOT NULL,
    cover_url        TEXT NOT NULL,
    cover_alt        TEXT NOT NULL,
    seo_title        TEXT NOT NULL,
    seo_description  TEXT NOT NULL,
    canonical_url    TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    -- Autosaves by one person within a few minutes update one revision.
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX post_revisions_post ON post_revisions (post_id, id);

CREATE TABLE tags (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE post_tags (
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    tag_id    INTEGER NOT NULL REFERENCES tags (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (post_id, tag_id)
) STRICT;
CREATE INDEX post_tags_tag ON post_tags (tag_id);

CREATE TABLE post_comments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    -- comment, changes_requested or approved.
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX post_comments_post ON post_comments (post_id, id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    actor_id    INTEGER NOT NULL REFERENCES users (id),
    -- submitted, changes_requested or published.
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    read_at     TEXT
) STRICT;
CREATE INDEX notifications_user ON notifications (user_id, id);

-- Addresses a published post had before its slug changed: they answer 301.
CREATE TABLE post_slug_history (
    slug     TEXT PRIMARY KEY,
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE
) STRICT;

CREATE INDEX posts_status ON posts (status, updated_at);
