-- A page's children, by parent_id: emptying the trash deletes posts, and
-- ON DELETE SET NULL then looks for each one's children, which without an
-- index is a scan of every post per deleted post.
CREATE INDEX posts_parent_id ON posts (parent_id);
