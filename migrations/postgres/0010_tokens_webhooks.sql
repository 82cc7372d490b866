-- Personal API tokens: a user's key for the admin API. Only the token's
-- SHA-256 digest is kept; the token itself is shown once, at creation.
-- Like sessions, a token belongs to its owner's session epoch: a password
-- change or reset, a role change or a deactivation ends it.
CREATE TABLE api_tokens (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    scope         TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash    TEXT NOT NULL UNIQUE,
    session_epoch BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

-- Webhooks: where to tell about which events. `events` lists the chosen
-- kinds between commas (",post.published,post.updated,") so that one
-- LIKE finds the subscribers of a kind.
CREATE TABLE webhooks (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- The delivery queue and its log: one row per event and webhook, written
-- in the transaction of the change it reports. A worker claims due rows
-- (`locked_until` is its lease, so a crashed worker's rows come back) and
-- records each attempt's outcome on the row.
CREATE TABLE webhook_deliveries (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook_id        BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event             TEXT NOT NULL,
    payload           TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts          BIGINT NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL,
    next_attempt_at   TIMESTAMPTZ NOT NULL,
    locked_until      TIMESTAMPTZ,
    last_status       BIGINT,
    last_response_ms  BIGINT,
    last_error        TEXT,
    finished_at       TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
