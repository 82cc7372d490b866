-- Scheduling: the due-post scan and the outbox of events that webhooks
-- deliver later. A scheduled post's side effects are written here exactly
-- once, in the transaction that marks it published.
CREATE INDEX posts_due ON posts (status, publish_at);

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    -- e.g. post.published
    kind        TEXT NOT NULL,
    post_id     INTEGER NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX events_post ON events (post_id);

-- The version a reviewer approved: public pages show "Medically reviewed
-- by" only while the live text is that version.
ALTER TABLE posts ADD COLUMN reviewed_version INTEGER;
