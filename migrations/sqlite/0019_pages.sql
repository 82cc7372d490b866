-- Pages (About, Services, Contact…) are posts of another kind: the same
-- editor, revisions, review and schedule, but at /{slug}, with no byline,
-- date, feed entry, tags or related articles. A page may sit under a
-- parent page (imported hierarchies keep theirs).
ALTER TABLE posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page'));
ALTER TABLE posts ADD COLUMN parent_id INTEGER REFERENCES posts (id) ON DELETE SET NULL;
CREATE INDEX posts_kind_status ON posts (kind, status);
