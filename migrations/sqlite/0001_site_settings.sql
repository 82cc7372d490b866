-- Site-wide settings: exactly one row (id = 1), created here with defaults
-- that an admin changes later.
CREATE TABLE site_settings (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    site_url    TEXT NOT NULL,
    time_zone   TEXT NOT NULL DEFAULT 'UTC',
    date_format TEXT NOT NULL DEFAULT '%B %-d, %Y',
    updated_at  TEXT
) STRICT;

INSERT INTO site_settings (id, title, description, site_url)
VALUES (1, 'Vellum', 'Health articles, written by clinicians and medically reviewed.', 'http://127.0.0.1:3000');
