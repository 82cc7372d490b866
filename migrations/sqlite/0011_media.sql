-- The media library. `original_key` names the stored original (upright,
-- without metadata); keys are content addresses (SHA-256 of the bytes plus
-- the extension), so a file's URL never changes meaning and can be cached
-- forever. Variants are the resized copies public pages offer in srcset.
CREATE TABLE media (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    original_key  TEXT NOT NULL UNIQUE,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    bytes         INTEGER NOT NULL,
    alt           TEXT NOT NULL DEFAULT '',
    uploaded_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE media_variants (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    media_id      INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    bytes         INTEGER NOT NULL
) STRICT;
CREATE INDEX media_variants_media ON media_variants (media_id, width);
