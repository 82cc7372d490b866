-- Full-text search over what readers see: the live title, excerpt and body
-- of every post that has live text. The store rewrites a post's row
-- whenever its live text changes; public queries still check the post's
-- status and time, so a scheduled post is found from its time on.
CREATE TABLE post_search (
    post_id  BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    title    TEXT NOT NULL,
    excerpt  TEXT NOT NULL,
    body     TEXT NOT NULL,
    -- Title matches rank above excerpt matches, which rank above the body.
    document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, excerpt), 'B')
        || setweight(to_tsvector('english'::regconfig, body), 'C')
    ) STORED
);
CREATE INDEX post_search_document ON post_search USING gin (document);

INSERT INTO post_search (post_id, title, excerpt, body)
SELECT p.id, r.title, r.excerpt, r.body
FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id;
