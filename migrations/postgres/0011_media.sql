-- The media library. `original_key` names the stored original (upright,
-- without metadata); keys are content addresses (SHA-256 of the bytes plus
-- the extension), so a file's URL never changes meaning and can be cached
-- forever. Variants are the resized copies public pages offer in srcset.
CREATE TABLE media (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    original_key  TEXT NOT NULL UNIQUE,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    bytes         BIGINT NOT NULL,
    alt           TEXT NOT NULL DEFAULT '',
    uploaded_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE media_variants (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    media_id      BIGINT NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    width         BIGINT NOT NULL,
    height        BIGINT NOT NULL,
    bytes         BIGINT NOT NULL
);
CREATE INDEX media_variants_media ON media_variants (media_id, width);
