-- Passkeys (WebAuthn): sign-in with a key kept on a phone, a computer or a
-- security key, without a password. A passkey counts as both factors.

-- Each person's user handle: the random id their passkeys carry and hand
-- back at a sign-in that names no account. One per person, kept while
-- they have no passkey, so that a new passkey replaces an old one on the
-- same authenticator instead of sitting beside it.
CREATE TABLE passkey_handles (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    handle  TEXT NOT NULL UNIQUE
);

-- A person's passkeys. `credential_id` is the authenticator's id for it
-- (base64url); `credential` is what checking a sign-in needs (the public
-- key and the signature counter, webauthn-rs's `Passkey` as JSON). No
-- secret is stored: the private key never leaves the authenticator.
CREATE TABLE passkeys (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,
    credential    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ
);
CREATE INDEX passkeys_user ON passkeys (user_id, id);

-- Ceremonies under way: the challenge the browser's answer must sign and
-- what checking it needs, between the two requests of an addition or a
-- sign-in. The browser holds only a token, stored here as its digest. A
-- ceremony is deleted when its answer arrives (it works once) and is
-- refused after `expires_at`.
CREATE TABLE passkey_ceremonies (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in')),
    -- Whose passkey is being added; NULL for a sign-in.
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    address    TEXT NOT NULL,
    state      TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX passkey_ceremonies_address ON passkey_ceremonies (address, expires_at);
CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_at);
