-- Where imported things came from (`vellum import wordpress|ghost`), so a
-- second run of the same import updates what the first made instead of
-- adding it again.
CREATE TABLE import_sources (
    source       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    local_id     INTEGER NOT NULL,
    PRIMARY KEY (source, kind, external_id)
) STRICT;

-- Old addresses of posts from another site (e.g. WordPress permalinks such
-- as /2024/03/15/my-post), answered with 301 to the post's address here.
-- Paths are stored as requested, without the trailing slash.
CREATE TABLE post_redirects (
    path     TEXT PRIMARY KEY,
    post_id  INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX post_redirects_post ON post_redirects (post_id);
