//! API tokens on the server: their form, what is stored, and the check
//! that turns a bearer token into its owner.

use super::api::{ApiTokenView, CreatedApiToken};
use crate::accounts::server::{AuditAction, Caller, NewAuditEntry, User, random_token, token_digest};
use crate::error::AppError;
pub use crate::input::tokens::{Scope, TokenName};
use crate::state::AppState;
pub use crate::store::model::tokens::*;
use crate::time::admin_time;

/// Every token starts with this, so that secret scanners can spot one in
/// a leaked file.
pub const TOKEN_PREFIX: &str = "vellum_pat_";

/// The caller of an admin API request: the token's owner as they are now.
#[derive(Debug, Clone)]
pub struct TokenCaller {
    pub user: User,
    pub scope: Scope,
}

/// The token in an `Authorization` header: `Bearer <token>`, the scheme in
/// any case (RFC 9110), surrounding spaces ignored. The rate limiter and the
/// check below read it the same way, so no spelling escapes the limit.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && token.starts_with(TOKEN_PREFIX)).then_some(token)
}

/// The owner of the bearer token in `authorization`, or `Unauthenticated`
/// for a missing, unknown or revoked token or a deactivated owner.
pub async fn authenticate(state: &AppState, authorization: Option<&str>) -> Result<TokenCaller, AppError> {
    let token = authorization.and_then(bearer_token).ok_or(AppError::Unauthenticated)?;
    let grant = state
        .store
        .use_api_token(&token_digest(token), state.clock.now())
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let user = state
        .store
        .user_by_id(grant.user_id)
        .await?
        .filter(|user| user.active)
        .ok_or(AppError::Unauthenticated)?;
    let scope = Scope::parse(&grant.scope).map_err(AppError::internal)?;
    Ok(TokenCaller { user, scope })
}

impl TokenCaller {
    /// Writes need a write token; a read token gets 403.
    pub fn require_write(&self) -> Result<(), AppError> {
        if self.scope == Scope::Write {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

// ---------------------------------------------------------------------------
// Server function bodies (the callers checked who is asking).

pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<ApiTokenView>, AppError> {
    let user = &caller.user;
    let settings = state.store.site_settings().await?;
    let rows = state.store.api_tokens(user.id).await?;
    Ok(rows.into_iter().map(|row| view(row, &settings)).collect())
}

pub async fn create(state: &AppState, caller: &Caller, name: &str, scope: &str) -> Result<CreatedApiToken, AppError> {
    let user = &caller.user;
    let mut problems = crate::error::FieldErrors::new();
    let name = crate::input::collect(&mut problems, "name", TokenName::parse(name));
    let scope = crate::input::collect(&mut problems, "scope", Scope::parse(scope));
    let (Some(name), Some(scope)) = (name, scope) else {
        return Err(AppError::Validation { fields: problems });
    };
    let secret = format!("{TOKEN_PREFIX}{}", random_token());
    let audit = NewAuditEntry::new(AuditAction::ApiTokenCreated, Some(user.id), Some(user.id))
        .address(&caller.address)
        .detail(format!("\"{}\" ({})", name.as_str(), scope.as_str()));
    let row = state
        .store
        .create_api_token(
            &NewApiToken {
                user_id: user.id,
                name,
                scope,
                token_hash: token_digest(&secret),
                created_at: state.clock.now(),
            },
            &audit,
        )
        .await?;
    let settings = state.store.site_settings().await?;
    Ok(CreatedApiToken {
        token: view(row, &settings),
        secret,
    })
}

pub async fn revoke(state: &AppState, caller: &Caller, id: i64) -> Result<(), AppError> {
    let user = &caller.user;
    // The audit entry's time is the revocation's.
    let audit = NewAuditEntry {
        at: state.clock.now(),
        ..NewAuditEntry::new(AuditAction::ApiTokenRevoked, Some(user.id), Some(user.id))
            .address(&caller.address)
            .detail(format!("token {id}"))
    };
    state.store.revoke_api_token(user.id, id, &audit).await
}

fn view(row: ApiTokenRow, settings: &crate::settings::SiteSettings) -> ApiTokenView {
    ApiTokenView {
        id: row.id,
        name: row.name,
        scope: row.scope,
        created: admin_time(row.created_at, settings),
        last_used: row.last_used_at.map(|at| admin_time(at, settings)),
        state: if row.revoked_at.is_some() {
            "revoked"
        } else if row.ended != 0 {
            "ended (password, role or access changed)"
        } else {
            "active"
        }
        .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_one_way() {
        let token = "vellum_pat_abc";
        for header in [
            "Bearer vellum_pat_abc",
            "bearer vellum_pat_abc",
            "BEARER  vellum_pat_abc ",
            " Bearer vellum_pat_abc",
        ] {
            assert_eq!(bearer_token(header), Some(token), "{header:?}");
        }
        for header in ["Basic vellum_pat_abc", "Bearer other", "vellum_pat_abc", "Bearer"] {
            assert_eq!(bearer_token(header), None, "{header:?}");
        }
    }

    #[test]
    fn names_and_scopes_are_checked() {
        assert!(TokenName::parse("  ").is_err());
        assert!(TokenName::parse(&"x".repeat(101)).is_err());
        assert!(TokenName::parse("a\u{7}b").is_err());
        assert_eq!(
            TokenName::parse(" Site ").map(|n| n.as_str().to_owned()),
            Ok("Site".to_owned())
        );
        assert_eq!(Scope::parse("write"), Ok(Scope::Write));
        assert!(Scope::parse("admin").is_err());
    }
}
