//! `vellum user add`, `vellum user password` and `vellum user reset-2fa`:
//! accounts from the command line, e.g. the first admin;
//! and `vellum token add`: a personal API token for one of them.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use app::accounts::Role;
use app::accounts::server::{AuditAction, DisplayName, Email, NewAuditEntry, NewUser, Password, hash_password};

use crate::cli::{TokenAddArgs, UserAddArgs, UserPasswordArgs, UserResetTwoFactorArgs};

pub async fn add(args: &UserAddArgs) -> anyhow::Result<()> {
    let email = Email::parse(&args.email).map_err(|message| anyhow::anyhow!("--email: {message}"))?;
    let display_name = DisplayName::parse(&args.name).map_err(|message| anyhow::anyhow!("--name: {message}"))?;
    let role = Role::parse(&args.role).map_err(|_| anyhow::anyhow!("--role: choose author, editor or admin"))?;
    let password = read_password()?;
    let password = Password::parse(&password).map_err(|message| anyhow::anyhow!("password: {message}"))?;

    let store = crate::open_existing(&args.database).await?;
    let new_user = NewUser {
        email,
        display_name,
        role,
        password_hash: Some(hash_password(password).await?),
        password_link: None,
    };
    let audit = NewAuditEntry::new(AuditAction::UserCreated, None, None)
        .detail(format!("role {}, from the command line", role.as_str()));
    let created = store.create_user(&new_user, &audit).await;
    store.close().await;
    let user = created.map_err(|error| anyhow::anyhow!("{error}"))?;
    println!(
        "Created {} <{}> as {}.",
        user.display_name,
        user.email,
        user.role.as_str()
    );
    Ok(())
}

pub async fn set_password(args: &UserPasswordArgs) -> anyhow::Result<()> {
    let email = Email::parse(&args.email).map_err(|message| anyhow::anyhow!("--email: {message}"))?;
    let password = read_password()?;
    let password = Password::parse(&password).map_err(|message| anyhow::anyhow!("password: {message}"))?;
    let hash = hash_password(password).await?;
    let store = crate::open_existing(&args.database).await?;
    let changed = async {
        let user = store
            .user_by_email(&email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("--email: no user has this address"))?;
        let audit =
            NewAuditEntry::new(AuditAction::PasswordChanged, None, Some(user.id)).detail("from the command line");
        Ok::<_, anyhow::Error>(store.set_password(user.id, &hash, &audit).await?)
    }
    .await;
    store.close().await;
    let user = changed?;
    println!("Set the password of {} <{}>.", user.display_name, user.email);
    Ok(())
}

/// `vellum user reset-2fa`: removes a person's second factor (a lost phone
/// and lost recovery codes), with an audit entry, as an admin's reset on
/// the Users page does.
pub async fn reset_two_factor(args: &UserResetTwoFactorArgs) -> anyhow::Result<()> {
    let email = Email::parse(&args.email).map_err(|message| anyhow::anyhow!("--email: {message}"))?;
    let store = crate::open_existing(&args.database).await?;
    let reset = async {
        let user = store
            .user_by_email(&email)
            .await?
            .ok_or_else(|| anyhow::anyhow!("--email: no user has this address"))?;
        let audit =
            NewAuditEntry::new(AuditAction::TwoFactorReset, None, Some(user.id)).detail("from the command line");
        let removed = app::two_factor::server::reset_second_factor(store.as_ref(), user.id, &audit).await?;
        anyhow::Ok((user, removed))
    }
    .await;
    store.close().await;
    let (user, removed) = reset?;
    if removed {
        println!(
            "Reset the second factor of {} <{}>: they sign in with their password alone until they set up a new one.",
            user.display_name, user.email
        );
    } else {
        println!(
            "{} <{}> has no second factor; nothing changed.",
            user.display_name, user.email
        );
    }
    Ok(())
}

/// Asks twice on a terminal; otherwise reads one line from standard input.
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password (at least 12 characters): ")?;
        let second = rpassword::prompt_password("Repeat the password: ")?;
        if first != second {
            bail!("the two passwords are not the same");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn add_token(args: &TokenAddArgs) -> anyhow::Result<()> {
    use app::api_tokens::server::{NewApiToken, Scope, TOKEN_PREFIX, TokenName};
    let email = Email::parse(&args.email).map_err(|message| anyhow::anyhow!("--email: {message}"))?;
    let name = TokenName::parse(&args.name).map_err(|message| anyhow::anyhow!("--name: {message}"))?;
    let scope = Scope::parse(&args.scope).map_err(|message| anyhow::anyhow!("--scope: {message}"))?;
    let store = crate::open_existing(&args.database).await?;
    let created = async {
        let user = store
            .user_by_email(&email)
            .await?
            .filter(|user| user.active)
            .ok_or_else(|| anyhow::anyhow!("--email: no active user has this address"))?;
        let secret = format!("{TOKEN_PREFIX}{}", app::accounts::server::random_token());
        let audit = NewAuditEntry::new(AuditAction::ApiTokenCreated, None, Some(user.id)).detail(format!(
            "\"{}\" ({}), from the command line",
            name.as_str(),
            scope.as_str()
        ));
        let token = NewApiToken {
            user_id: user.id,
            name,
            scope,
            token_hash: app::accounts::server::token_digest(&secret),
            created_at: chrono::Utc::now(),
        };
        store.create_api_token(&token, &audit).await?;
        anyhow::Ok(secret)
    }
    .await;
    store.close().await;
    println!("{}", created?);
    Ok(())
}
