//! Demo content for a first look at Vellum (`vellum serve --demo`). It is
//! written only into a brand-new database, never over real content.

use app::accounts::Role;
use app::accounts::server::{
    AuditAction, DisplayName, Email, NewAuditEntry, NewUser, Password, ProfileUpdate, hash_password, random_token,
};
use app::settings::server::SettingsUpdate;
use app::store::Store;

/// The demo's staff: who writes, who reviews. Only the admin can sign in.
const STAFF: [(&str, &str, Role, &str, &str); 3] = [
    (
        "admin@demo.vellum.test",
        "Demo Admin",
        Role::Admin,
        "",
        "Runs the clinic's website.",
    ),
    (
        "maya.patel@demo.vellum.test",
        "Dr. Maya Patel",
        Role::Editor,
        "MD, family physician",
        "Family physician with twelve years in community practice; reviews every article before it is published.",
    ),
    (
        "sam.rivera@demo.vellum.test",
        "Sam Rivera",
        Role::Author,
        "RN, health educator",
        "Nurse and health educator who writes about everyday prevention.",
    ),
];

pub async fn seed(store: &dyn Store) -> anyhow::Result<()> {
    let mut settings = store.site_settings().await?;
    settings.title = "Riverside Family Clinic · Health Journal".into();
    settings.description = "Plain-language health articles from our clinicians, each one medically reviewed.".into();
    settings.time_zone = "America/Chicago".into();
    store
        .update_site_settings(&SettingsUpdate::parse(&settings)?, None)
        .await?;

    // A fresh random password, shown once: a demo never ships a known one.
    let admin_password = random_token()[..20].to_owned();
    for (email, name, role, credentials, bio) in STAFF {
        let password_hash = match role {
            Role::Admin => Some(hash_password(Password::parse(&admin_password).map_err(anyhow::Error::msg)?).await?),
            _ => None,
        };
        let new_user = NewUser {
            email: Email::parse(email).map_err(anyhow::Error::msg)?,
            display_name: DisplayName::parse(name).map_err(anyhow::Error::msg)?,
            role,
            password_hash,
            password_link: None,
        };
        let audit = NewAuditEntry::new(AuditAction::UserCreated, None, None).detail("demo content");
        let user = store.create_user(&new_user, &audit).await?;
        store
            .update_profile(user.id, &ProfileUpdate::parse(name, bio, "", credentials)?)
            .await?;
    }
    tracing::warn!(
        "Demo content added. Sign in at /admin/login as {} with the password {admin_password} (shown only now).",
        STAFF[0].0
    );
    Ok(())
}
