-- Secrets that rotate with an overlap: after a rotation the previous
-- webhook secret also signs deliveries, and the previous content key still
-- opens the public API, until the time beside it. Receivers and front ends
-- switch over in that time instead of breaking at once.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN previous_secret_until TIMESTAMPTZ;
ALTER TABLE site_settings ADD COLUMN previous_content_key TEXT NOT NULL DEFAULT '';
ALTER TABLE site_settings ADD COLUMN previous_content_key_until TIMESTAMPTZ;
