-- The language articles are written in: public pages declare it (html
-- lang), and the editor's spellcheck uses it.
ALTER TABLE site_settings ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
