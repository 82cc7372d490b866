//! API errors as RFC 9457 problem details (`application/problem+json`):
//! every 4xx and 5xx of `/api/v1` has this shape.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, FieldErrors};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem detail. `type` is `about:blank`: the status and `title` say
/// what kind of problem it is; `detail` says what to do about it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    #[schema(example = "Bad Request")]
    pub title: String,
    #[schema(example = 400)]
    pub status: u16,
    #[schema(example = "The query parameter `limit` must be a whole number from 1 to 100.")]
    pub detail: String,
    /// A machine-readable code: `invalid_parameter`, `not_found`,
    /// `method_not_allowed`, `too_many_requests`, `internal`, ….
    #[schema(example = "invalid_parameter")]
    pub code: String,
    /// For 400: the query parameters that were refused, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(nullable = false)]
    pub invalid_params: Vec<InvalidParam>,
    /// For 422: messages per field.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub errors: Option<FieldErrors>,
    #[serde(skip)]
    retry_after_secs: Option<u64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvalidParam {
    #[schema(example = "limit")]
    pub name: String,
    #[schema(example = "must be a whole number from 1 to 100")]
    pub reason: String,
}

impl Problem {
    fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_owned(),
            invalid_params: Vec::new(),
            errors: None,
            retry_after_secs: None,
        }
    }

    /// 400 naming the query parameter and what it must be.
    pub fn invalid_param(name: &str, reason: &str) -> Self {
        Self {
            invalid_params: vec![InvalidParam {
                name: name.to_owned(),
                reason: reason.to_owned(),
            }],
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_parameter",
                format!("The query parameter `{name}` {reason}."),
            )
        }
    }

    /// 400 for a query string that cannot be read at all.
    pub fn bad_query(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_parameter",
            format!("The query string could not be read: {detail}."),
        )
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }

    /// 401: the site requires its content key for API reads.
    pub fn content_key_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "content_key_required",
            "This site's API needs its content key: add ?key=… to the URL or send the X-Content-Key header. \
             Admins find the key in Settings.",
        )
    }

    /// 401 from the admin API: no usable personal API token.
    pub fn token_required() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "token_required",
            "Send a personal API token as `Authorization: Bearer vellum_pat_…`. Make one on the admin's API \
             tokens page; a revoked token, or one whose owner was deactivated, no longer works.",
        )
    }

    /// 400 for a request body that is not the JSON the endpoint takes.
    pub fn bad_body(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            format!("The request body could not be read: {detail}."),
        )
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "This address of the API does not answer this method. The public API answers GET and HEAD; \
             /api/v1/openapi.json lists every endpoint's methods.",
        )
    }
}

impl From<AppError> for Problem {
    fn from(error: AppError) -> Self {
        let status = error.status_code();
        let mut problem = Self::new(status, error.code(), error.to_string());
        match error {
            AppError::Validation { fields } => problem.errors = Some(fields),
            AppError::TooManyRequests { retry_after_secs } => problem.retry_after_secs = Some(retry_after_secs),
            _ => {}
        }
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = self.retry_after_secs;
        let mut response = (status, axum::Json(self)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// Unknown addresses under `/api/v1`.
pub async fn not_found() -> Problem {
    Problem::not_found("There is no API endpoint at this address. The list is at /api/v1/openapi.json.")
}

pub async fn method_not_allowed() -> Problem {
    Problem::method_not_allowed()
}
