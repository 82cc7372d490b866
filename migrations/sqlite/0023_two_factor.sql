-- Two-factor sign-in. A person's TOTP secret (RFC 6238) is kept as it is,
-- base32: checking a code needs it. It counts once `confirmed_at` is set,
-- by a first code from the person's app; until then it is a set-up in
-- progress, which a new set-up replaces. `last_step` is the 30-second
-- time step of the last code accepted: a code of that step or an earlier
-- one is refused, so no code works twice.
CREATE TABLE totp_secrets (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER
) STRICT;

-- Ten one-time recovery codes per person, stored only as SHA-256 digests;
-- a used code keeps its row, with the time it was used.
CREATE TABLE recovery_codes (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TEXT,
    UNIQUE (user_id, code_hash)
) STRICT;

-- Whom sign-in asks for a second factor: nobody (each person's choice),
-- editors and admins, or everyone.
ALTER TABLE site_settings ADD COLUMN two_factor_policy TEXT NOT NULL DEFAULT 'nobody'
    CHECK (two_factor_policy IN ('nobody', 'editors_and_admins', 'everyone'));
