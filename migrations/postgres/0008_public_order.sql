-- Public lists are ordered by when a post went (or goes) out, newest first.
-- This index gives that order without sorting every public post, and holds
-- what the "is it public now" test reads, so deep pages scan only the index.
CREATE INDEX posts_public_order
    ON posts ((COALESCE(published_at, publish_at)) DESC, id DESC, status, publish_at);

-- A post page finds its post by the slug of the text readers see.
CREATE INDEX post_revisions_slug ON post_revisions (slug);
CREATE INDEX posts_live_revision ON posts (live_revision_id);

-- Related articles: the posts that share a tag, by id.
CREATE INDEX post_tags_tag_post ON post_tags (tag_id, post_id);
