-- Accounts, sign-in throttling and the audit log.
CREATE TABLE users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Stored lower-cased by the application, so uniqueness is case-insensitive.
    email            TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    bio              TEXT NOT NULL DEFAULT '',
    avatar_url       TEXT NOT NULL DEFAULT '',
    credentials      TEXT NOT NULL DEFAULT '',
    role             TEXT NOT NULL CHECK (role IN ('author', 'editor', 'admin')),
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- NULL until the user sets a password through a set-password link.
    password_hash    TEXT,
    -- Bumped when the password, role or active flag changes; sessions carry
    -- the epoch they were created in and die when it no longer matches.
    session_epoch    INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    last_sign_in_at  TEXT
) STRICT;

-- One-time set-password links; only a SHA-256 of the token is stored.
CREATE TABLE password_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    expires_at  TEXT NOT NULL
) STRICT;

CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    email     TEXT NOT NULL,
    address   TEXT NOT NULL,
    failed_at TEXT NOT NULL
) STRICT;
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             TEXT NOT NULL,
    actor_id       INTEGER REFERENCES users (id),
    action         TEXT NOT NULL,
    target_user_id INTEGER REFERENCES users (id),
    address        TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_log_at ON audit_log (at);
