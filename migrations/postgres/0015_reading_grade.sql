-- The reading level the editor's readiness panel asks of patient
-- articles, as a US school grade (Flesch–Kincaid): health-literacy
-- guidance (NIH, AMA, CDC) asks for grade 6 to 8.
ALTER TABLE site_settings ADD COLUMN reading_grade_target BIGINT NOT NULL DEFAULT 8;
