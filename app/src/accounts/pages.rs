//! The accounts' admin pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    ChangePassword, ChangeRole, CompleteSetup, CreateUser, IssuePasswordLink, Login, Role, SendPasswordLink,
    SetPasswordWithToken, SetUserActive, SignEveryoneOut, UpdateProfile, UserView, audit_log, current_user, list_users,
};
use crate::components::{FormAlert, TextField, field_errors};

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_default());
    view! {
        <Title text="Sign in" />
        <section class="narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=login>
                <input type="hidden" name="next" value=next />
                <TextField name="email" label="Email" kind="email" autocomplete="username" required=true
                    errors=field_errors(login.value(), "email") />
                <TextField name="password" label="Password" kind="password" autocomplete="current-password"
                    required=true errors=Signal::derive(Vec::new) />
                <FormAlert result=login.value() fields=&["email"] />
                <button type="submit" disabled=move || login.pending().get()>"Sign in"</button>
            </ActionForm>
            <crate::passkeys::sign_in::PasskeySignIn />
            <p><a href="/admin/forgot-password">"Forgot password?"</a></p>
        </section>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<CompleteSetup>::new();
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    view! {
        <Title text="Set up Vellum" />
        <section class="narrow">
            <h1>"Create the first admin"</h1>
            <p>"This page works once, while Vellum has no users, with the link the server printed to its log."</p>
            <ActionForm action=setup>
                <input type="hidden" name="token" value=token />
                <TextField name="email" label="Email" kind="email" autocomplete="username" required=true
                    errors=field_errors(setup.value(), "email") />
                <TextField name="display_name" label="Name" autocomplete="name" required=true
                    hint="As readers will see it, e.g. Dr. Ana Ruiz."
                    errors=field_errors(setup.value(), "display_name") />
                <TextField name="password" label="Password" kind="password" autocomplete="new-password"
                    required=true hint="At least 12 characters; not a common password."
                    errors=field_errors(setup.value(), "password") />
                <FormAlert result=setup.value() fields=&["email", "display_name", "password"] />
                <button type="submit" disabled=move || setup.pending().get()>"Create admin and sign in"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let set_password = ServerAction::<SetPasswordWithToken>::new();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    view! {
        <Title text="Set your password" />
        <section class="narrow">
            <h1>"Set your password"</h1>
            <ActionForm action=set_password>
                <input type="hidden" name="token" value=token />
                <TextField name="password" label="New password" kind="password" autocomplete="new-password"
                    required=true hint="At least 12 characters; not a common password."
                    errors=field_errors(set_password.value(), "password") />
                <TextField name="password_confirmation" label="Repeat the new password" kind="password"
                    autocomplete="new-password" required=true
                    errors=field_errors(set_password.value(), "password_confirmation") />
                <FormAlert result=set_password.value() fields=&["password", "password_confirmation"] />
                <button type="submit" disabled=move || set_password.pending().get()>"Set password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let update = ServerAction::<UpdateProfile>::new();
    let change = ServerAction::<ChangePassword>::new();
    // Loaded once: refetching after a save would re-render the form and
    // throw away what the user is typing.
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="My profile" />
        <h1>"My profile"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let user = me.await.ok().flatten();
                user.map(|user| view! {
                    <ActionForm action=update attr:class="card">
                        <h2>"Public profile"</h2>
                        <TextField name="display_name" label="Name" value=user.display_name.clone() required=true
                            errors=field_errors(update.value(), "display_name") />
                        <TextField name="credentials" label="Credentials" value=user.credentials.clone()
                            hint="Shown with your reviews, e.g. MD, psychiatrist."
                            errors=field_errors(update.value(), "credentials") />
                        <TextField name="avatar_url" label="Avatar image address" kind="url"
                            value=user.avatar_url.clone() errors=field_errors(update.value(), "avatar_url") />
                        <div class="field">
                            <label for="field-bio">"Short bio"</label>
                            <textarea id="field-bio" name="bio" rows="4" aria-describedby="field-bio-error">
                                {user.bio.clone()}
                            </textarea>
                            <crate::components::FieldErrorText id="field-bio-error".to_owned()
                                errors=field_errors(update.value(), "bio") />
                        </div>
                        <FormAlert result=update.value() fields=&["display_name", "credentials", "avatar_url", "bio"] />
                        <p class="status" aria-live="polite">
                            {move || matches!(update.value().get(), Some(Ok(_))).then_some("Profile saved.")}
                        </p>
                        <button type="submit" disabled=move || update.pending().get()>"Save profile"</button>
                    </ActionForm>
                })
            })}
        </Suspense>
        <ActionForm action=change attr:class="card">
            <h2>"Change password"</h2>
            <TextField name="current_password" label="Current password" kind="password"
                autocomplete="current-password" required=true
                errors=field_errors(change.value(), "current_password") />
            <TextField name="new_password" label="New password" kind="password" autocomplete="new-password"
                required=true hint="At least 12 characters; not a common password. Signs you out everywhere else."
                errors=field_errors(change.value(), "new_password") />
            <TextField name="new_password_confirmation" label="Repeat the new password" kind="password"
                autocomplete="new-password" required=true
                errors=field_errors(change.value(), "new_password_confirmation") />
            <FormAlert result=change.value()
                fields=&["current_password", "new_password", "new_password_confirmation"] />
            <p class="status" aria-live="polite">
                {move || matches!(change.value().get(), Some(Ok(()))).then_some("Password changed.")}
            </p>
            <button type="submit" disabled=move || change.pending().get()>"Change password"</button>
        </ActionForm>
        <super::recovery_pages::ChangeEmailSection />
        <crate::mail::pages::MailPreferencesSection />
        <crate::two_factor::pages::TwoFactorSection />
        <crate::passkeys::profile::PasskeysSection />
        <crate::sessions::panel::MySessions />
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let change_role = ServerAction::<ChangeRole>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let issue_link = ServerAction::<IssuePasswordLink>::new();
    let send_link = ServerAction::<SendPasswordLink>::new();
    let sign_out_all = ServerAction::<SignEveryoneOut>::new();
    let email_on = Resource::new(|| (), |_| crate::mail::api::email_is_on());
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                change_role.version().get(),
                set_active.version().get(),
            )
        },
        |_| list_users(),
    );
    view! {
        <Title text="Users" />
        <h1>"Users"</h1>
        <Suspense>
            {move || Suspend::new(async move {
                (!email_on.await.unwrap_or(true)).then(|| view! { <crate::mail::pages::EmailOffNote /> })
            })}
        </Suspense>
        <ActionForm action=create attr:class="card">
            <h2>"Add a user"</h2>
            <TextField name="email" label="Email" kind="email" required=true errors=field_errors(create.value(), "email") />
            <TextField name="display_name" label="Name" required=true
                errors=field_errors(create.value(), "display_name") />
            <div class="field">
                <label for="field-role">"Role"</label>
                <select id="field-role" name="role">
                    {Role::ALL.map(|role| view! { <option value=role.as_str()>{role.label()}</option> })}
                </select>
            </div>
            <FormAlert result=create.value() fields=&["email", "display_name"] />
            <button type="submit" disabled=move || create.pending().get()>"Add user"</button>
            {move || create.value().get().and_then(Result::ok).map(|created| if created.emailed {
                view! {
                    <p class="status" role="status" data-testid="invitation-sent">
                        {format!("{} was added, and an invitation to choose a password went to {}.",
                            created.user.display_name, created.user.email)}
                    </p>
                }.into_any()
            } else {
                view! {
                    <p class="status" role="status">
                        {format!("{} was added. Send them this link to set their password (it works once, for 72 hours): ",
                            created.user.display_name)}
                        <code data-testid="set-password-link">{created.set_password_url}</code>
                    </p>
                }.into_any()
            })}
        </ActionForm>
        <FormAlert result=change_role.value() fields=&[] />
        <FormAlert result=set_active.value() fields=&[] />
        {move || issue_link.value().get().and_then(Result::ok).map(|url| view! {
            <p class="status" role="status">"New set-password link: " <code>{url}</code></p>
        })}
        <FormAlert result=send_link.value() fields=&[] />
        {move || matches!(send_link.value().get(), Some(Ok(()))).then(|| view! {
            <p class="status" role="status">"A new set-password link was emailed."</p>
        })}
        <Suspense fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(users) => view! {
                        <div class="table-scroll" role="region" tabindex="0" aria-label="Users"><table class="users">
                            <thead><tr><th>"Name"</th><th>"Email"</th><th>"Role"</th><th>"Status"</th><th>"Last sign-in"</th><th>"Actions"</th></tr></thead>
                            <tbody>
                                {users.into_iter().map(|user| view! {
                                    <UserRow user change_role set_active issue_link send_link />
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <crate::two_factor::people_card::SecondFactorsCard />
        <ActionForm action=sign_out_all attr:class="card">
            <h2>"Sign everyone out"</h2>
            <p>"Ends every signed-in session on every device, yours too: everyone signs in again. \
                Use it after a lost laptop or phone, or a password that others may know. \
                API tokens keep working; revoke those one by one."</p>
            <FormAlert result=sign_out_all.value() fields=&[] />
            <button type="submit" class="secondary" disabled=move || sign_out_all.pending().get()>
                "Sign everyone out"
            </button>
        </ActionForm>
    }
}

#[component]
fn UserRow(
    user: UserView,
    change_role: ServerAction<ChangeRole>,
    set_active: ServerAction<SetUserActive>,
    issue_link: ServerAction<IssuePasswordLink>,
    send_link: ServerAction<SendPasswordLink>,
) -> impl IntoView {
    let role_id = format!("role-{}", user.id);
    let send_label = format!(" to {}", user.display_name);
    let sessions_label = format!(" of {}", user.display_name);
    view! {
        <tr class:inactive=!user.active>
            <td>{user.display_name.clone()}</td>
            <td>{user.email.clone()}</td>
            <td>
                <ActionForm action=change_role attr:class="inline">
                    <input type="hidden" name="user_id" value=user.id />
                    <label class="visually-hidden" for=role_id.clone()>{format!("Role of {}", user.display_name)}</label>
                    <select id=role_id name="role">
                        {Role::ALL.map(|role| view! {
                            <option value=role.as_str() selected=role == user.role>{role.label()}</option>
                        })}
                    </select>
                    <button type="submit">"Change role"</button>
                </ActionForm>
            </td>
            <td>{if user.active { "Active" } else { "Deactivated" }}</td>
            <td>{user.last_sign_in_at.clone().unwrap_or_else(|| "never".into())}</td>
            <td>
                <ActionForm action=set_active attr:class="inline">
                    <input type="hidden" name="user_id" value=user.id />
                    <input type="hidden" name="active" value=if user.active { "false" } else { "true" } />
                    <button type="submit">{if user.active { "Deactivate" } else { "Reactivate" }}</button>
                </ActionForm>
                <ActionForm action=issue_link attr:class="inline">
                    <input type="hidden" name="user_id" value=user.id />
                    <button type="submit" class="secondary">"New password link"</button>
                </ActionForm>
                <ActionForm action=send_link attr:class="inline">
                    <input type="hidden" name="user_id" value=user.id />
                    <button type="submit" class="secondary">"Email a password link"
                        <span class="visually-hidden">{send_label}</span></button>
                </ActionForm>
                <a href=format!("/admin/users/{}/sessions", user.id)>"Sessions"<span class="visually-hidden">{sessions_label}</span></a>
            </td>
        </tr>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            let user = q.get("user").and_then(|id| id.parse::<i64>().ok());
            let action = q.get("action").filter(|a| !a.is_empty());
            (user, action)
        })
    };
    let entries = Resource::new(filter, |(user, action)| audit_log(user, action));
    let users = Resource::new(|| (), |_| list_users());
    view! {
        <Title text="Audit log" />
        <h1>"Audit log"</h1>
        <form method="get" action="/admin/audit" class="filters">
            <div class="field">
                <label for="audit-user">"User"</label>
                <select id="audit-user" name="user">
                    <option value="">"Everyone"</option>
                    <Suspense>
                        {move || Suspend::new(async move {
                            users.await.unwrap_or_default().into_iter().map(|user| {
                                let selected = filter().0 == Some(user.id);
                                view! { <option value=user.id selected=selected>{user.display_name}</option> }
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </div>
            <div class="field">
                <label for="audit-action">"Action"</label>
                <select id="audit-action" name="action">
                    <option value="">"All actions"</option>
                    {AUDIT_ACTIONS.map(|action| {
                        let selected = move || filter().1.as_deref() == Some(action);
                        view! { <option value=action selected=selected>{action.replace('_', " ")}</option> }
                    })}
                </select>
            </div>
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(entries) => view! {
                        <div class="table-scroll" role="region" tabindex="0" aria-label="Audit log"><table class="audit">
                            <thead><tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"Whom"</th><th>"Address"</th><th>"Detail"</th></tr></thead>
                            <tbody>
                                {entries.into_iter().map(|entry| view! {
                                    <tr>
                                        <td>{entry.at}</td>
                                        <td>{entry.actor.unwrap_or_else(|| "—".into())}</td>
                                        <td>{entry.action.replace('_', " ")}</td>
                                        <td>{entry.target.unwrap_or_else(|| "—".into())}</td>
                                        <td>{entry.address}</td>
                                        <td>{entry.detail}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The audit actions as stored (see `server::AuditAction`).
const AUDIT_ACTIONS: [&str; 46] = [
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "user_created",
    "role_changed",
    "deactivated",
    "reactivated",
    "password_changed",
    "password_link_issued",
    "settings_changed",
    "post_submitted",
    "post_withdrawn",
    "changes_requested",
    "post_approved",
    "post_published",
    "post_scheduled",
    "post_unscheduled",
    "post_unpublished",
    "post_trashed",
    "post_restored",
    "update_published",
    "revision_restored",
    "trash_emptied",
    "api_token_created",
    "api_token_revoked",
    "webhook_added",
    "webhook_deleted",
    "webhook_secret_rotated",
    "all_sessions_ended",
    "session_ended",
    "sessions_ended",
    "media_uploaded",
    "media_deleted",
    "content_imported",
    "post_re_reviewed",
    "review_due_changed",
    "passkey_added",
    "passkey_removed",
    "passkey_sign_in",
    "two_factor_enabled",
    "two_factor_disabled",
    "two_factor_reset",
    "two_factor_failed",
    "recovery_code_used",
    "recovery_codes_renewed",
    "email_changed",
];
