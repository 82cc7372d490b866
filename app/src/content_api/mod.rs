//! The public content API under `/api/v1`: published content only, as
//! JSON, described by an OpenAPI 3.1 document generated from this code
//! (`/api/v1/openapi.json`). Errors are problem details (RFC 9457).
//! Caching headers, CORS and compression are added around it by the
//! server (see `server/src/http_cache.rs`).

pub mod admin;
mod handlers;
mod pages;
pub mod problem;
pub mod types;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use utoipa::OpenApi;

use crate::state::AppState;
use problem::Problem;

/// Where the API lives.
pub use crate::content::API_PREFIX as PREFIX;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vellum content API",
        version = "1.0.0",
        description = "Published posts, their authors and tags, the site's pages, and the site, for front ends \
                       that render Vellum's content themselves: read-only and public. Responses carry a strong ETag (send it back in \
                       If-None-Match for a 304) and Cache-Control; errors are RFC 9457 problem details. Under \
                       /api/v1/admin, a person's scripts work on their own drafts with a personal API token."
    ),
    // Relative: the API is wherever this document was fetched from, so
    // the same document serves every address a site is reached at.
    servers((url = "/", description = "This Vellum site (the address this document was fetched from)")),
    paths(
        handlers::list_posts,
        handlers::get_post,
        pages::list_pages,
        pages::get_page,
        handlers::list_authors,
        handlers::get_author,
        handlers::list_tags,
        handlers::get_tag,
        handlers::get_site,
        handlers::get_preview,
        admin::handlers::list_posts,
        admin::handlers::get_post,
        admin::handlers::create_draft,
        admin::handlers::update_draft,
        admin::handlers::submit,
        openapi_json,
    ),
    tags(
        (name = "content", description = "Published content"),
        (name = "admin", description = "A person's own posts, for automation, with a personal API token \
                                         (`Authorization: Bearer`). Not readable from other origins' scripts."),
        (name = "meta", description = "This document")
    ),
    modifiers(&ContentKeySchemes),
    // Open by default; a site that sets a content key needs one of these.
    security((), ("content_key_query" = []), ("content_key_header" = []))
)]
pub struct ApiDoc;

/// How a front end presents the site's content key, when it has one.
struct ContentKeySchemes;

impl utoipa::Modify for ContentKeySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        let described = |name: &str| {
            ApiKeyValue::with_description(name, "The site's content key, when an admin has set one in Settings")
        };
        components.add_security_scheme(
            "content_key_query",
            SecurityScheme::ApiKey(ApiKey::Query(described("key"))),
        );
        components.add_security_scheme(
            "content_key_header",
            SecurityScheme::ApiKey(ApiKey::Header(described("X-Content-Key"))),
        );
        components.add_security_scheme(
            "api_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (vellum_pat_…), made on the admin's API tokens page. It acts as \
                         its owner; a read token only reads.",
                    ))
                    .build(),
            ),
        );
    }
}

/// This API's OpenAPI 3.1 document.
///
/// The document a client generator, a linter or a test tool starts from:
/// every operation of `/api/v1`, its parameters, answers and schemas. It
/// is generated from the server's code, so it describes exactly this
/// version of Vellum. It stays readable without the content key, and
/// `info.contact` names this site and its address.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object),
        (status = 304, description = "Not modified since the ETag sent in If-None-Match"),
        (status = 429, description = "Too many requests; retry after the `Retry-After` seconds",
         body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Failure on the server's side", body = Problem, content_type = "application/problem+json"),
    )
)]
async fn openapi_json(State(state): State<AppState>) -> Result<Json<utoipa::openapi::OpenApi>, Problem> {
    let settings = state.store.site_settings().await?;
    let mut document = ApiDoc::openapi();
    // Whoever runs this site answers for its API: its title and address
    // (always an absolute URL; see `SiteUrl`).
    document.info.contact = Some(
        utoipa::openapi::info::ContactBuilder::new()
            .name(Some(settings.title))
            .url(Some(format!("{}/", settings.site_url)))
            .build(),
    );
    Ok(Json(document))
}

/// The API's routes, to be nested at `PREFIX`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/posts", get(handlers::list_posts))
        .route("/posts/{slug}", get(handlers::get_post))
        .route("/pages", get(pages::list_pages))
        .route("/pages/{slug}", get(pages::get_page))
        .route("/authors", get(handlers::list_authors))
        .route("/authors/{slug}", get(handlers::get_author))
        .route("/tags", get(handlers::list_tags))
        .route("/tags/{slug}", get(handlers::get_tag))
        .route("/site", get(handlers::get_site))
        .route("/preview/{token}", get(handlers::get_preview))
        .route("/openapi.json", get(openapi_json))
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
}
