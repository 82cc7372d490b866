-- Preview links: a token (stored as its SHA-256 digest) that lets anyone
-- holding it read one post before it is published, until it expires or is
-- revoked. A link may pin one revision; otherwise it shows the latest text.
CREATE TABLE preview_links (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    post_id      BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    revision_id  BIGINT REFERENCES post_revisions (id) ON DELETE CASCADE,
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX preview_links_post ON preview_links (post_id, id);
