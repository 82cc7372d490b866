//! What admins do: choose whom sign-in asks for a second factor, see who
//! has one, and reset someone's (a lost phone).

use std::collections::BTreeSet;

use super::{notify, reset_second_factor, second_factor_users};
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry};
use crate::domain::TwoFactorPolicy;
use crate::error::AppError;
use crate::state::AppState;
use crate::two_factor::api::SecondFactorView;

pub async fn save_policy(state: &AppState, caller: &Caller, raw: &str) -> Result<TwoFactorPolicy, AppError> {
    let policy = TwoFactorPolicy::parse(raw)?;
    let entry = NewAuditEntry::new(AuditAction::SettingsChanged, Some(caller.user.id), None)
        .address(&caller.address)
        .detail(format!("two-factor sign-in required of: {}", policy.label()));
    state.store.set_two_factor_policy(policy, &entry).await?;
    Ok(policy)
}

pub async fn second_factors(state: &AppState) -> Result<Vec<SecondFactorView>, AppError> {
    let policy = state.store.two_factor_policy().await?;
    let with_one: BTreeSet<i64> = second_factor_users(state).await?.into_iter().collect();
    Ok(state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|user| SecondFactorView {
            user_id: user.id,
            enabled: with_one.contains(&user.id),
            required: policy.applies_to(user.role),
            display_name: user.display_name,
            email: user.email,
            active: user.active,
        })
        .collect())
}

/// Removes `user_id`'s second factor; they sign in with their password
/// alone until they set up a new one (at once, if the policy asks it).
pub async fn reset_for(state: &AppState, caller: &Caller, user_id: i64) -> Result<(), AppError> {
    let person = state.store.user_by_id(user_id).await?.ok_or(AppError::NotFound)?;
    let entry = NewAuditEntry::new(AuditAction::TwoFactorReset, Some(caller.user.id), Some(person.id))
        .address(&caller.address)
        .detail("by an admin, on the Users page");
    if !reset_second_factor(state.store.as_ref(), person.id, &entry).await? {
        return Err(AppError::Conflict {
            message: format!("{} has no second factor to reset.", person.display_name),
        });
    }
    notify(
        state,
        &person,
        "Your two-factor sign-in was reset",
        &format!(
            "{} reset the two-factor sign-in of your account, so signing in asks only for your password now. \
             Set up your authenticator app again on your profile. If you did not ask for this, tell your \
             site's admins at once.",
            caller.user.display_name
        ),
    )
    .await
}
