-- Posts and their authors (ordered; the first is the primary author).
CREATE TABLE posts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title         TEXT NOT NULL,
    slug          TEXT NOT NULL UNIQUE,
    body          TEXT NOT NULL DEFAULT '',
    excerpt       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN
                  ('draft', 'in_review', 'changes_requested', 'approved', 'scheduled', 'published', 'trashed')),
    -- Every save increments it; a save names the version it started from
    -- and is refused when someone else saved in between.
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    published_at  TIMESTAMPTZ,
    reviewed_by   BIGINT REFERENCES users (id),
    reviewed_at   TIMESTAMPTZ
);

CREATE TABLE post_authors (
    post_id   BIGINT NOT NULL REFERENCES posts (id),
    user_id   BIGINT NOT NULL REFERENCES users (id),
    position  BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX post_authors_user ON post_authors (user_id);
