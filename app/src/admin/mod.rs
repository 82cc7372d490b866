//! The admin: a Leptos app rendered on the server and hydrated in the
//! browser. Only pages under `/admin` load the wasm bundle.

mod dashboard;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::accounts::api::{Logout, current_user};
use crate::accounts::pages::{AuditPage, LoginPage, ProfilePage, SetPasswordPage, SetupPage, UsersPage};
use crate::accounts::policy::{Action, allows};
use crate::posts::api::unread_notifications;
use crate::posts::editor::EditorPage;
use crate::posts::pages::{CalendarPage, HistoryPage, NotificationsPage, PostsPage, ReviewPage, TagsPage};
use crate::settings::page::SettingsPage;
use dashboard::Dashboard;

// The export owns its address; the admin's name for it stays valid.
pub use crate::export::EXPORT_PATH;

/// The HTML document of admin pages, with the hydration scripts. Its
/// Content-Security-Policy allows scripts from this site and the inline
/// bootstrap script that carries this response's nonce, nothing else.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_admin_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="robots" content="noindex, nofollow" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                // The visual editor's engine (frontend/editor), from this site.
                <link rel="stylesheet" href="/pkg/vellum-editor.css" />
                <script type="module" src="/pkg/vellum-editor.js" nonce=leptos::nonce::use_nonce()></script>
                // Passkeys' calls to navigator.credentials (frontend/passkeys).
                <script type="module" src="/pkg/vellum-passkeys.js" nonce=leptos::nonce::use_nonce()></script>
                // In the document, not the hydrated app: its address is the
                // server's to know (the hashed name, kept for a year).
                <link rel="stylesheet" id="leptos" href=stylesheet_href() />
                <MetaTags />
            </head>
            <body class="admin">
                <AdminApp />
            </body>
        </html>
    }
}

/// The site's style sheet under its hashed name (see `state::Stylesheet`).
fn stylesheet_href() -> String {
    #[cfg(feature = "ssr")]
    if let Ok(state) = crate::state::app_state() {
        return state.config.stylesheet.href().to_owned();
    }
    "/pkg/vellum.css".to_owned()
}

#[cfg(feature = "ssr")]
fn set_admin_csp() {
    use axum::http::HeaderValue;
    use axum::http::header::CONTENT_SECURITY_POLICY;
    use leptos::nonce::{provide_nonce, use_nonce};

    provide_nonce();
    let Some(nonce) = use_nonce() else { return };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        nonce.as_inner()
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&policy),
    ) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// The admin's routes. Public pages are not part of it: they are plain
/// server-rendered documents (see `crate::blog`).
#[component]
pub fn AdminApp() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · Vellum admin") />
        <Router>
            <AdminHeader />
            <crate::two_factor::pages::SetUpFirst />
            <main class="admin-main" id="main">
                <Routes fallback=|| view! { <p>"This admin page does not exist."</p> }>
                    <Route path=path!("/admin") view=Dashboard />
                    <Route path=path!("/admin/login") view=LoginPage />
                    <Route path=path!("/admin/login/code") view=crate::two_factor::pages::CodePage />
                    <Route path=path!("/admin/two-factor") view=crate::two_factor::pages::TwoFactorPage />
                    <Route path=path!("/admin/setup") view=SetupPage />
                    <Route path=path!("/admin/set-password/:token") view=SetPasswordPage />
                    <Route path=path!("/admin/forgot-password") view=crate::accounts::recovery_pages::ForgotPasswordPage />
                    <Route path=path!("/admin/confirm-email/:token") view=crate::accounts::recovery_pages::ConfirmEmailPage />
                    <Route path=path!("/admin/profile") view=ProfilePage />
                    <Route path=path!("/admin/users") view=UsersPage />
                    <Route path=path!("/admin/users/:id/sessions") view=crate::sessions::page::UserSessionsPage />
                    <Route path=path!("/admin/audit") view=AuditPage />
                    <Route path=path!("/admin/settings") view=SettingsPage />
                    <Route path=path!("/admin/email") view=crate::mail::pages::MailLogPage />
                    <Route path=path!("/admin/posts") view=PostsPage />
                    <Route path=path!("/admin/posts/:id") view=EditorPage />
                    <Route path=path!("/admin/posts/:id/history") view=HistoryPage />
                    <Route path=path!("/admin/review") view=ReviewPage />
                    <Route path=path!("/admin/tags") view=TagsPage />
                    <Route path=path!("/admin/calendar") view=CalendarPage />
                    <Route path=path!("/admin/notifications") view=NotificationsPage />
                    <Route path=path!("/admin/media") view=crate::media::page::MediaPage />
                    <Route path=path!("/admin/tokens") view=crate::api_tokens::page::ApiTokensPage />
                    <Route path=path!("/admin/webhooks") view=crate::webhooks::page::WebhooksPage />
                </Routes>
            </main>
        </Router>
    }
}

/// Navigation and the signed-in user, refreshed on every navigation so
/// that signing in or out shows at once.
#[component]
fn AdminHeader() -> impl IntoView {
    let location = use_location();
    let logout = ServerAction::<Logout>::new();
    // One resource for both: the user and their unread count arrive
    // together, so the navigation renders once.
    let me = Resource::new(
        move || (location.pathname.get(), logout.version().get()),
        |_| async { (current_user().await, unread_notifications().await) },
    );
    // At phone width the links wait behind a menu button.
    let menu_open = RwSignal::new(false);
    Effect::new(move |_| {
        location.pathname.track();
        menu_open.set(false);
    });
    view! {
        <header class="admin-header">
            <a class="admin-brand" href="/admin">"Vellum"</a>
            <button type="button" class="admin-menu-toggle" aria-controls="admin-nav" data-testid="admin-menu"
                aria-expanded=move || menu_open.get().to_string()
                on:click=move |_| menu_open.update(|open| *open = !*open)>"Menu"</button>
            <Suspense>
                {move || Suspend::new(async move {
                    // Read in one place: a Suspense nested in the
                    // navigation would not hydrate.
                    let (user, unread) = me.await;
                    let unread = unread.unwrap_or(0);
                    user.ok().flatten().map(|user| view! {
                        <nav class="admin-nav" id="admin-nav" aria-label="Admin" class:open=move || menu_open.get()>
                            <A href="/admin" exact=true>"Dashboard"</A>
                            <A href="/admin/posts">"Posts"</A>
                            <A href="/admin/media">"Media"</A>
                            {(user.role >= crate::accounts::Role::Editor).then(|| view! {
                                <A href="/admin/review">"Review"</A>
                            })}
                            <A href="/admin/calendar">"Calendar"</A>
                            <A href="/admin/notifications">
                                "Notifications"
                                {(unread > 0).then(|| view! {
                                    <span class="badge" data-testid="unread-count"
                                        aria-label=format!("{unread} unread")>{unread}</span>
                                })}
                            </A>
                            {allows(user.role, Action::ManageUsers).then(|| view! {
                                <A href="/admin/users">"Users"</A>
                                <A href="/admin/settings">"Settings"</A>
                                <A href="/admin/webhooks">"Webhooks"</A>
                                <A href="/admin/email">"Email"</A>
                                <A href="/admin/audit">"Audit log"</A>
                            })}
                            <A href="/admin/tokens">"API tokens"</A>
                            <A href="/admin/profile">
                                <span data-testid="signed-in-as">{user.display_name.clone()}</span>
                            </A>
                            <ActionForm action=logout attr:class="inline">
                                <button type="submit" class="link">"Sign out"</button>
                            </ActionForm>
                        </nav>
                    })
                })}
            </Suspense>
            <a class="admin-view-site" href="/" rel="external">"View site"</a>
        </header>
    }
}
