-- Which posts use which media file, by key: written with every change to a
-- post's working text or its published text, so the library reads "used
-- in" and guards deletes without scanning every post body.
CREATE TABLE media_usage (
    media_key  TEXT NOT NULL,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (media_key, post_id)
) STRICT;
CREATE INDEX media_usage_post ON media_usage (post_id);

-- Existing posts, found once the way the library used to look for them.
INSERT INTO media_usage (media_key, post_id)
SELECT m.original_key, p.id FROM media m JOIN posts p
  ON p.body LIKE '%/media/' || m.original_key || '%' OR p.cover_url LIKE '%/media/' || m.original_key || '%'
UNION
SELECT m.original_key, p.id FROM media m JOIN posts p ON p.live_revision_id IS NOT NULL
  JOIN post_revisions r ON r.id = p.live_revision_id
  AND (r.body LIKE '%/media/' || m.original_key || '%' OR r.cover_url LIKE '%/media/' || m.original_key || '%');
