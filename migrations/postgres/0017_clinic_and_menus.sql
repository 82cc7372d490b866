-- The clinic behind the site (one row, like site_settings): every public
-- page prints it in the footer and as schema.org data. Opening hours are
-- a JSON array of seven {opens, closes} days, Monday first.
CREATE TABLE clinic_details (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    name           TEXT NOT NULL DEFAULT '',
    street_address TEXT NOT NULL DEFAULT '',
    locality       TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL DEFAULT '',
    booking_url    TEXT NOT NULL DEFAULT '',
    disclaimer     TEXT NOT NULL DEFAULT '',
    opening_hours  TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO clinic_details (id) VALUES (1);

-- The header and footer menus: flat lists, so no item can contain
-- another and no loop can form. `target` is a slug for pages, tags,
-- authors and posts, and an address for `url`.
CREATE TABLE menu_items (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    menu     TEXT NOT NULL CHECK (menu IN ('header', 'footer')),
    position BIGINT NOT NULL,
    label    TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('page', 'tag', 'author', 'post', 'url')),
    target   TEXT NOT NULL,
    UNIQUE (menu, position)
);
