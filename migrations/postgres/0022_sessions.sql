-- Signed-in sessions as people see them on their profile: one row per
-- sign-in. The session itself (tower-sessions, whose id changes) holds
-- the row's random `session_key`; a session whose row is gone is signed
-- out at its next request, on every instance, which is how a session is
-- ended. `session_epoch` is the user's at sign-in: a later password, role
-- or activation change has ended the rows of older epochs, which are not
-- listed and are purged with the idle ones.
CREATE TABLE signed_in_sessions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_key   TEXT NOT NULL UNIQUE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_epoch BIGINT NOT NULL,
    -- Readable, from the User-Agent header: "Chrome on Linux".
    browser       TEXT NOT NULL,
    -- The client's address at sign-in.
    address       TEXT NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    -- Written at most once a minute per session.
    last_used_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX signed_in_sessions_user ON signed_in_sessions (user_id, last_used_at);
CREATE INDEX signed_in_sessions_last_used ON signed_in_sessions (last_used_at);
