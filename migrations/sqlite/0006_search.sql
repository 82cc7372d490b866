-- Full-text search over what readers see: the live title, excerpt and body
-- of every post that has live text (rowid = posts.id). The store rewrites a
-- post's row whenever its live text changes; public queries still check
-- the post's status and time, so a scheduled post is found from its time on.
CREATE VIRTUAL TABLE post_search USING fts5(
    title, excerpt, body,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

INSERT INTO post_search (rowid, title, excerpt, body)
SELECT p.id, r.title, r.excerpt, r.body
FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id;
