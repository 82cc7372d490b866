-- Public lists are ordered by when a post went (or goes) out, newest first;
-- this index gives that order without sorting every public post.
CREATE INDEX posts_public_order ON posts ((COALESCE(published_at, publish_at)) DESC, id DESC);
