-- The public blog's look and its call to action, edited on the settings
-- page. Empty strings mean "none" (or, for the accent, Vellum's default).
ALTER TABLE site_settings ADD COLUMN logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE site_settings ADD COLUMN accent_color TEXT NOT NULL DEFAULT '';
ALTER TABLE site_settings ADD COLUMN cta_heading TEXT NOT NULL DEFAULT '';
ALTER TABLE site_settings ADD COLUMN cta_text TEXT NOT NULL DEFAULT '';
ALTER TABLE site_settings ADD COLUMN cta_label TEXT NOT NULL DEFAULT '';
ALTER TABLE site_settings ADD COLUMN cta_url TEXT NOT NULL DEFAULT '';
-- The key the public content API requires, when set (empty: open).
ALTER TABLE site_settings ADD COLUMN content_key TEXT NOT NULL DEFAULT '';
