-- Accounts, sign-in throttling and the audit log.
CREATE TABLE users (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored lower-cased by the application, so uniqueness is case-insensitive.
    email            TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    slug             TEXT NOT NULL UNIQUE,
    bio              TEXT NOT NULL DEFAULT '',
    avatar_url       TEXT NOT NULL DEFAULT '',
    credentials      TEXT NOT NULL DEFAULT '',
    role             TEXT NOT NULL CHECK (role IN ('author', 'editor', 'admin')),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    -- NULL until the user sets a password through a set-password link.
    password_hash    TEXT,
    -- Bumped when the password, role or active flag changes; sessions carry
    -- the epoch they were created in and die when it no longer matches.
    session_epoch    BIGINT NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    last_sign_in_at  TIMESTAMPTZ
);

-- One-time set-password links; only a SHA-256 of the token is stored.
CREATE TABLE password_tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    expires_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE login_failures (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email     TEXT NOT NULL,
    address   TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, failed_at);
CREATE INDEX login_failures_address ON login_failures (address, failed_at);

CREATE TABLE audit_log (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             TIMESTAMPTZ NOT NULL,
    actor_id       BIGINT REFERENCES users (id),
    action         TEXT NOT NULL,
    target_user_id BIGINT REFERENCES users (id),
    address        TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
