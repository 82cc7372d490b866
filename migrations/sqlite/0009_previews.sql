-- Preview links: a token (stored as its SHA-256 digest) that lets anyone
-- holding it read one post before it is published, until it expires or is
-- revoked. A link may pin one revision; otherwise it shows the latest text.
CREATE TABLE preview_links (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash   TEXT NOT NULL UNIQUE,
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    revision_id  INTEGER REFERENCES post_revisions (id) ON DELETE CASCADE,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;
CREATE INDEX preview_links_post ON preview_links (post_id, id);
