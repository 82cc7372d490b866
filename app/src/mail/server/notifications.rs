//! Notifications by email. Status changes, comments and review reminders
//! write notification rows in their own transactions; here each new row is
//! routed once, by its recipient's choice for its kind: a message at once
//! (with a one-click unsubscribe for that kind), the daily digest, or
//! nothing. Routing in the store's transaction (`route_notification`)
//! keeps several instances from sending one notification twice.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::letter::{Letter, absolute};
use crate::crypto::{random_token, token_digest};
use crate::domain::SiteSettings;
use crate::error::AppError;
use crate::mail::api::{MailMode, kind_label};
use crate::state::AppState;
use crate::store::model::mail::{DIGEST_KIND, MailNotification, NewMail, NotificationRoute, UnsubscribeLink};
use crate::time::{local_to_utc, site_zone};

/// Notifications routed per pass.
const BATCH: i64 = 100;

/// Notifications older than this are not emailed: news of yesterday's
/// submission is no news (and turning email on must not send a backlog).
const STALE_HOURS: i64 = 24;

/// The digest goes out once a day at this time in the site's zone.
pub const DIGEST_AT: NaiveTime = match NaiveTime::from_hms_opt(8, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// Routes the notifications written since the last pass; returns how many.
/// With email off they are marked done (the hourly clean-up runs this
/// when no worker does), and stale ones are never sent, so that turning
/// email on later does not send a backlog.
pub async fn route_new(state: &AppState) -> Result<usize, AppError> {
    let waiting = state.store.new_mail_notifications(BATCH).await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let settings = state.store.site_settings().await?;
    let now = state.clock.now();
    let mut routed = 0;
    for notification in waiting {
        let mode = notification
            .mode
            .as_deref()
            .and_then(MailMode::parse)
            .unwrap_or_default();
        let stale = notification.created_at < now - Duration::hours(STALE_HOURS);
        let route = match mode {
            _ if !super::enabled(state) || stale => NotificationRoute::Skip,
            MailMode::Instant => match instant(&notification, &settings, now) {
                Ok(mail) => NotificationRoute::Instant(Box::new(mail)),
                // One that cannot be written must not hold up the others.
                Err(error) => {
                    tracing::error!(notification = notification.id, %error, "a notification email could not be written");
                    NotificationRoute::Skip
                }
            },
            MailMode::Digest => NotificationRoute::Digest,
            MailMode::Off => NotificationRoute::Skip,
        };
        if state.store.route_notification(notification.id, &route).await? {
            routed += 1;
        }
    }
    Ok(routed)
}

/// Sends each person's digest of what waited for it, once a day: a
/// notification written before today's digest time goes out in today's
/// digest. Returns how many digests were queued.
pub async fn send_digests(state: &AppState) -> Result<usize, AppError> {
    let settings = state.store.site_settings().await?;
    let now = state.clock.now();
    let cutoff = last_digest_time(now, &settings);
    let waiting = state.store.digest_notifications(cutoff).await?;
    let mut by_person: BTreeMap<i64, Vec<MailNotification>> = BTreeMap::new();
    for notification in waiting {
        by_person.entry(notification.user_id).or_default().push(notification);
    }
    let mut sent = 0;
    for notifications in by_person.values() {
        let ids: Vec<i64> = notifications.iter().map(|n| n.id).collect();
        let mail = match digest(notifications, &settings, now) {
            Ok(mail) => mail,
            Err(error) => {
                tracing::error!(%error, "a digest could not be written");
                continue;
            }
        };
        if state.store.send_digest(&ids, &mail).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The latest digest time at or before `now`, in the site's zone.
fn last_digest_time(now: DateTime<Utc>, settings: &SiteSettings) -> DateTime<Utc> {
    let zone = site_zone(settings);
    let today = now.with_timezone(&zone).date_naive();
    let at_today = local_to_utc(today.and_time(DIGEST_AT), zone);
    if at_today <= now {
        at_today
    } else {
        local_to_utc((today - Duration::days(1)).and_time(DIGEST_AT), zone)
    }
}

/// What a notification says, as a sentence about its post.
fn sentence(notification: &MailNotification) -> String {
    let (actor, title) = (&notification.actor, &notification.post_title);
    match notification.kind.as_str() {
        "submitted" => format!("{actor} submitted “{title}” for review."),
        "changes_requested" => format!("{actor} asked for changes to “{title}”."),
        "approved" => format!("{actor} approved “{title}”."),
        "published" => format!("“{title}” is published."),
        "comment" => format!("{actor} commented on “{title}”."),
        "review_due" => format!("“{title}” is due for its medical review."),
        _ => format!("There is news about “{title}”."),
    }
}

fn unsubscribe_link(settings: &SiteSettings, user_id: i64, kind: &str) -> UnsubscribeLink {
    let token = random_token();
    UnsubscribeLink {
        url: absolute(settings, &format!("/mail/unsubscribe/{token}")),
        token_digest: token_digest(&token),
        user_id,
        kind: kind.to_owned(),
    }
}

fn instant(notification: &MailNotification, settings: &SiteSettings, now: DateTime<Utc>) -> Result<NewMail, AppError> {
    let sentence = sentence(notification);
    let subject: String = sentence.chars().filter(|c| !c.is_control()).collect();
    let kind_name = kind_label(&notification.kind);
    let post_url = absolute(settings, &format!("/admin/posts/{}", notification.post_id));
    let letter = Letter::new(&notification.email, &subject, "notification")?
        .paragraph(&format!("Hello {},", notification.display_name))
        .paragraph(&sentence)
        .button("Open it in the admin", &post_url)
        .footer(&format!(
            "You get this because of your choice for “{kind_name}” on your profile: {}",
            absolute(settings, "/admin/profile")
        ));
    let unsubscribe = unsubscribe_link(settings, notification.user_id, &notification.kind);
    Ok(letter.into_mail(settings, now, Some(unsubscribe)))
}

fn digest(
    notifications: &[MailNotification],
    settings: &SiteSettings,
    now: DateTime<Utc>,
) -> Result<NewMail, AppError> {
    let Some(first) = notifications.first() else {
        return Err(AppError::internal("an empty digest"));
    };
    let count = notifications.len();
    let subject = format!(
        "{}: {count} update{} on your articles",
        settings.title,
        if count == 1 { "" } else { "s" }
    );
    let mut letter = Letter::new(&first.email, &subject, "digest")?
        .paragraph(&format!("Hello {},", first.display_name))
        .paragraph("Here is what happened since your last digest:");
    for notification in notifications {
        letter = letter.item(
            &sentence(notification),
            &absolute(settings, &format!("/admin/posts/{}", notification.post_id)),
        );
    }
    let letter = letter.footer(&format!(
        "You get this digest because of your choices on your profile: {}",
        absolute(settings, "/admin/profile")
    ));
    let unsubscribe = unsubscribe_link(settings, first.user_id, DIGEST_KIND);
    Ok(letter.into_mail(settings, now, Some(unsubscribe)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_time_is_eight_in_the_sites_zone() {
        let settings = SiteSettings {
            time_zone: "Europe/Berlin".into(),
            ..SiteSettings::default()
        };
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        // 08:00 in Berlin in December is 07:00 UTC.
        assert_eq!(
            last_digest_time(at("2026-12-07T07:30:00Z"), &settings),
            at("2026-12-07T07:00:00Z")
        );
        assert_eq!(
            last_digest_time(at("2026-12-07T06:59:00Z"), &settings),
            at("2026-12-06T07:00:00Z")
        );
    }
}
