-- Posts and their authors (ordered; the first is the primary author).
CREATE TABLE posts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    body          TEXT NOT NULL DEFAULT '',
    excerpt       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                  ('draft', 'in_review', 'changes_requested', 'approved', 'scheduled', 'published', 'trashed')),
    -- Every save increments it; a save names the version it started from
    -- and is refused when someone else saved in between.
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    published_at  TEXT,
    reviewed_by   INTEGER REFERENCES users (id),
    reviewed_at   TEXT
) STRICT;

CREATE TABLE post_authors (
    post_id   INTEGER NOT NULL REFERENCES posts (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (post_id, user_id)
) STRICT;
CREATE INDEX post_authors_user ON post_authors (user_id);
