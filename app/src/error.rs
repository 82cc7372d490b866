//! The one error type of Vellum, shared by server functions, HTTP handlers
//! and the JSON API. Its variants say what the *caller* may learn; internal
//! details are logged where they happen and never leave the server.

use std::collections::BTreeMap;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Messages per field name, for forms and API clients alike.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthenticated,
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("Some fields need attention.")]
    Validation { fields: FieldErrors },
    #[error("{message}")]
    Conflict { message: String },
    #[error("Too many attempts. Please wait {retry_after_secs} seconds and try again.")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    /// A validation error about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_owned(), vec![message.into()]);
        Self::Validation { fields }
    }

    /// Logs `detail` on the server and returns the opaque `Internal` error.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!(error = %detail, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = detail;
        Self::Internal
    }

    /// A stable, machine-readable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Validation { .. } => "validation",
            Self::Conflict { .. } => "conflict",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status that this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Validation { .. } => 422,
            Self::Conflict { .. } => 409,
            Self::TooManyRequests { .. } => 429,
            Self::Internal => 500,
        }
    }

    /// The messages for one field, if this is a validation error.
    pub fn field_messages(&self, field: &str) -> &[String] {
        match self {
            Self::Validation { fields } => fields.get(field).map(Vec::as_slice).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// Lets server functions return `Result<T, AppError>`. Transport failures
/// (network down, server restarting) arrive here on the client side; they
/// carry no user-facing detail, so they become `Internal`.
impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The request itself was malformed (a missing field, a number
            // that is not one, text that is not UTF-8): the caller's
            // mistake, answered with a message rather than a 500.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                Self::invalid("request", format!("The form could not be read: {message}"))
            }
            other => Self::internal(other),
        }
    }
}

#[cfg(feature = "ssr")]
mod http {
    use axum::Json;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use serde::Serialize;

    use super::{AppError, FieldErrors};

    /// The JSON body of every error response of the HTTP API.
    #[derive(Serialize)]
    struct ErrorBody<'a> {
        error: &'static str,
        message: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        fields: Option<&'a FieldErrors>,
    }

    impl AppError {
        pub fn status_code(&self) -> StatusCode {
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let fields = match &self {
                AppError::Validation { fields } => Some(fields),
                _ => None,
            };
            let body = ErrorBody {
                error: self.code(),
                message: self.to_string(),
                fields,
            };
            let mut response = (self.status_code(), Json(body)).into_response();
            if let AppError::TooManyRequests { retry_after_secs } = self {
                response.headers_mut().insert(
                    axum::http::header::RETRY_AFTER,
                    axum::http::HeaderValue::from(retry_after_secs),
                );
            }
            response
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(error: sqlx::Error) -> Self {
            match error {
                sqlx::Error::RowNotFound => AppError::NotFound,
                // Two requests racing for the same unique value: the loser
                // hears about it instead of getting a 500.
                sqlx::Error::Database(database) if database.is_unique_violation() => AppError::Conflict {
                    message: "Someone else just saved the same value. Reload and try again.".into(),
                },
                other => AppError::internal(format_args!("database: {other}")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_keep_their_field_messages() {
        let error = AppError::invalid("title", "Enter a title.");
        assert_eq!(error.field_messages("title"), ["Enter a title."]);
        assert!(error.field_messages("slug").is_empty());
        assert_eq!(error.status(), 422);
    }

    #[test]
    fn errors_round_trip_through_the_server_function_encoding() {
        let error = AppError::Conflict {
            message: "Someone else changed this post.".into(),
        };
        let decoded = AppError::de(error.ser());
        assert_eq!(decoded, error);
    }

    #[test]
    fn internal_errors_reveal_no_detail() {
        let error = AppError::internal("password column missing in table users");
        assert_eq!(error.to_string(), "Something went wrong on our side. Please try again.");
    }
}
