-- Outgoing email. Messages wait in an outbox until a worker has handed
-- them to the SMTP server, so a restart or an unreachable mail server
-- loses nothing; a worker's claim is a lease (`locked_until`), so a
-- crashed worker's messages come back. The bodies are kept only until
-- the message is sent or given up.
CREATE TABLE mail_outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_address      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    -- What the message is about (password_reset, invitation, a
    -- notification kind, …), for the delivery log.
    kind            TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    -- The one-click unsubscribe address of notifications, or ''.
    unsubscribe_url TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    last_error      TEXT,
    finished_at     TIMESTAMPTZ
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);

-- Each person's choice per notification kind: instant, digest or off.
-- No row means instant.
CREATE TABLE mail_preferences (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind    TEXT NOT NULL,
    mode    TEXT NOT NULL CHECK (mode IN ('instant', 'digest', 'off')),
    PRIMARY KEY (user_id, kind)
);

-- One-click unsubscribe links (RFC 8058): one per notification message,
-- kept as a digest.
CREATE TABLE mail_unsubscribe_links (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Where each notification stands for email: new (not yet looked at),
-- digest (waits for the person's daily digest) or done. Notifications
-- from before email existed are done.
ALTER TABLE notifications ADD COLUMN mail_state TEXT NOT NULL DEFAULT 'new';
UPDATE notifications SET mail_state = 'done';
CREATE INDEX notifications_mail ON notifications (mail_state, user_id);

-- A change of email address waits for a click on the link sent to the
-- new address.
CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email  TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
