-- Reviews that stay current: every medically reviewed post has a date by
-- which a clinician must confirm its text again (`review_due_at`), 12
-- months after the review unless the settings or the reviewer say
-- otherwise. `review_reminded_for` is the due date the reviewer has been
-- reminded of, so the hourly reminder goes out once per due date.
ALTER TABLE posts ADD COLUMN review_due_at TIMESTAMPTZ;
ALTER TABLE posts ADD COLUMN review_reminded_for TIMESTAMPTZ;
CREATE INDEX posts_review_due ON posts (review_due_at) WHERE review_due_at IS NOT NULL;

ALTER TABLE site_settings ADD COLUMN review_interval_months BIGINT NOT NULL DEFAULT 12
    CHECK (review_interval_months BETWEEN 1 AND 60);
-- What readers see once a review has lapsed: the review line and "Review
-- due" (flag), or "Last reviewed {date}" instead of the line (date_only).
ALTER TABLE site_settings ADD COLUMN lapsed_review_display TEXT NOT NULL DEFAULT 'flag'
    CHECK (lapsed_review_display IN ('flag', 'date_only'));

-- Posts reviewed before this migration are due 12 months after their
-- review (PostgreSQL keeps Feb 29 + 12 months on Feb 28).
UPDATE posts SET review_due_at = reviewed_at + INTERVAL '12 months' WHERE reviewed_at IS NOT NULL;
