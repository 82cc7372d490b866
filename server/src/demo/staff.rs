//! The demo's staff: who they are, their accounts, and the log line that
//! hands out their passwords.

use anyhow::anyhow;
use app::accounts::Role;
use app::accounts::server::{
    AuditAction, DisplayName, Email, NewAuditEntry, NewUser, Password, ProfileUpdate, User, hash_password, random_token,
};
use app::store::Store;

use super::posts::{DemoPost, Who};

/// Someone on the clinic's staff.
struct Member {
    email: &'static str,
    name: &'static str,
    role: Role,
    credentials: &'static str,
    bio: &'static str,
    /// Their part in the articles; the admin writes none.
    writes_as: Option<Who>,
}

/// The demo's staff: an admin who runs the site, a physician who reviews
/// (and writes a little), a nurse and a dietitian. The admin comes first:
/// the log names that account first.
const STAFF: [Member; 4] = [
    Member {
        email: "admin@demo.vellum.test",
        name: "Demo Admin",
        role: Role::Admin,
        credentials: "",
        bio: "Runs the clinic's website.",
        writes_as: None,
    },
    Member {
        email: "maya.patel@demo.vellum.test",
        name: "Dr. Maya Patel",
        role: Role::Editor,
        credentials: "MD, family physician",
        bio: "Family physician with twelve years in community practice. She reviews every article in the \
              journal before it is published, and writes about check-ups and everyday aches.",
        writes_as: Some(Who::Physician),
    },
    Member {
        email: "sam.rivera@demo.vellum.test",
        name: "Sam Rivera",
        role: Role::Author,
        credentials: "RN, health educator",
        bio: "Registered nurse and health educator. Sam runs the clinic's prevention classes and writes \
              about the everyday habits that keep families well.",
        writes_as: Some(Who::Nurse),
    },
    Member {
        email: "nora.lindqvist@demo.vellum.test",
        name: "Nora Lindqvist",
        role: Role::Author,
        credentials: "RD, registered dietitian",
        bio: "Registered dietitian who helps patients with diabetes, heart disease and everyday eating, \
              with advice that fits real kitchens and real budgets.",
        writes_as: Some(Who::Dietitian),
    },
];

/// The staff as created, by part.
pub(super) struct Cast {
    pub(super) admin: User,
    pub(super) physician: User,
    pub(super) nurse: User,
    pub(super) dietitian: User,
}

impl Cast {
    pub(super) fn member(&self, who: Who) -> &User {
        match who {
            Who::Physician => &self.physician,
            Who::Nurse => &self.nurse,
            Who::Dietitian => &self.dietitian,
        }
    }

    /// Who approves a post: the physician, unless she wrote it (then the
    /// admin does, and readers are not told about a review).
    pub(super) fn reviewer(&self, post: &DemoPost) -> &User {
        if post.authors.contains(&Who::Physician) {
            &self.admin
        } else {
            &self.physician
        }
    }
}

/// Creates the staff's accounts, each with a fresh password; the cast,
/// and the passwords in `STAFF`'s order.
pub(super) async fn create_staff(store: &dyn Store) -> anyhow::Result<(Cast, Vec<String>)> {
    // A fresh random password for every account, shown once: a demo never
    // ships a known one. The hashes are computed side by side.
    let passwords: Vec<String> = STAFF.iter().map(|_| random_token()[..20].to_owned()).collect();
    let mut hashing = Vec::with_capacity(passwords.len());
    for password in &passwords {
        let password = Password::parse(password).map_err(anyhow::Error::msg)?;
        hashing.push(tokio::spawn(hash_password(password)));
    }
    let mut staff = Vec::with_capacity(STAFF.len());
    for (member, hash) in STAFF.iter().zip(hashing) {
        let new_user = NewUser {
            email: Email::parse(member.email).map_err(anyhow::Error::msg)?,
            display_name: DisplayName::parse(member.name).map_err(anyhow::Error::msg)?,
            role: member.role,
            password_hash: Some(hash.await??),
            password_link: None,
        };
        let audit = NewAuditEntry::new(AuditAction::UserCreated, None, None).detail("demo content");
        let user = store.create_user(&new_user, &audit).await?;
        let profile = ProfileUpdate::parse(member.name, member.bio, "", member.credentials)?;
        staff.push((member.writes_as, store.update_profile(user.id, &profile).await?));
    }
    let cast = cast(staff)?;
    Ok((cast, passwords))
}

fn cast(staff: Vec<(Option<Who>, User)>) -> anyhow::Result<Cast> {
    let mut admin = None;
    let mut physician = None;
    let mut nurse = None;
    let mut dietitian = None;
    for (part, user) in staff {
        let slot = match part {
            None => &mut admin,
            Some(Who::Physician) => &mut physician,
            Some(Who::Nurse) => &mut nurse,
            Some(Who::Dietitian) => &mut dietitian,
        };
        *slot = Some(user);
    }
    match (admin, physician, nurse, dietitian) {
        (Some(admin), Some(physician), Some(nurse), Some(dietitian)) => Ok(Cast {
            admin,
            physician,
            nurse,
            dietitian,
        }),
        _ => Err(anyhow!("the demo staff is incomplete")),
    }
}

/// The accounts and their passwords, for the log: the admin's on the first
/// line (which `make run` users look for), then everyone else's.
pub(super) fn accounts_message(passwords: &[String]) -> String {
    let mut message = String::from("Demo content added.");
    for (index, (member, password)) in STAFF.iter().zip(passwords).enumerate() {
        if index == 0 {
            message.push_str(&format!(
                " Sign in at /admin/login as {} with the password {password} (shown only now).\n\
                 The other demo accounts, whose passwords are also shown only now:",
                member.email
            ));
        } else {
            let role = format!("{:?}", member.role).to_lowercase();
            message.push_str(&format!(
                "\n  {:<32} {} ({role}): password {password}",
                member.email, member.name
            ));
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_names_every_account_once() {
        let passwords: Vec<String> = (0..4).map(|n| format!("password-{n}-xyz")).collect();
        let message = accounts_message(&passwords);
        let first = message.lines().next().unwrap_or_default();
        assert!(
            first.contains("Demo content added.")
                && first.contains("as admin@demo.vellum.test with the password password-0-xyz "),
            "{first}"
        );
        for (member, password) in STAFF.iter().zip(&passwords) {
            assert_eq!(message.matches(member.email).count(), 1, "{message}");
            assert_eq!(message.matches(password.as_str()).count(), 1, "{message}");
        }
    }
}
