-- Scheduling: the due-post scan and the outbox of events that webhooks
-- deliver later. A scheduled post's side effects are written here exactly
-- once, in the transaction that marks it published.
CREATE INDEX posts_due ON posts (status, publish_at);

CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- e.g. post.published
    kind        TEXT NOT NULL,
    post_id     BIGINT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_post ON events (post_id);

-- The version a reviewer approved: public pages show "Medically reviewed
-- by" only while the live text is that version.
ALTER TABLE posts ADD COLUMN reviewed_version BIGINT;
