//! The posts' admin pages other than the editor: the list, the review
//! queue, the notifications and a post's history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::api::{
    CalendarView, CreatePost, DiffView, PostSummary, RevisionView, TagView, UpdateTag, calendar, list_notifications,
    list_posts, list_staff, list_tags, load_post, mark_notifications_read, post_history, restore_revision,
    review_queue, revision_diff,
};
use super::review_panel::status_label;
use super::workflow::PostStatus;
use crate::accounts::Role;
use crate::accounts::api::current_user;
use crate::components::{FormAlert, TextField, field_errors};
use crate::domain::PostKind;

/// A form that starts a draft, an article or a page (the button says
/// which), and opens it in the editor.
#[component]
pub fn NewPostForm() -> impl IntoView {
    let create = ServerAction::<CreatePost>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(post)) = create.value().get() {
            navigate(&format!("/admin/posts/{}", post.id), Default::default());
        }
    });
    view! {
        <ActionForm action=create attr:class="card new-post">
            // One title for either kind: the button chosen says which.
            <TextField name="title" label="Title" required=true errors=field_errors(create.value(), "title")
                hint="An article, or a page such as About, Services or Contact." />
            <FormAlert result=create.value() fields=&["title"] />
            // The first button is Enter's: an article.
            <button type="submit" name="kind" value=PostKind::Post.as_str() data-testid="create-post"
                disabled=move || create.pending().get()>"New article"</button>
            <button type="submit" name="kind" value=PostKind::Page.as_str() data-testid="create-page" class="secondary"
                disabled=move || create.pending().get()>"New page"</button>
        </ActionForm>
    }
}

/// A table of posts; `label` names its scrolling region (each region of
/// a page needs a name of its own).
#[component]
pub fn PostTable(
    posts: Vec<PostSummary>,
    #[prop(optional)] empty: &'static str,
    #[prop(default = "Posts")] label: &'static str,
) -> impl IntoView {
    if posts.is_empty() {
        return view! { <p class="empty">{if empty.is_empty() { "No posts." } else { empty }}</p> }.into_any();
    }
    view! {
        <div class="table-scroll" role="region" tabindex="0" aria-label=label>
        <table class="post-table">
            <thead>
                <tr><th scope="col">"Title"</th><th scope="col">"Status"</th><th scope="col">"Authors"</th>
                    <th scope="col">"Tags"</th><th scope="col">"Last change"</th></tr>
            </thead>
            <tbody>
                {posts.into_iter().map(|post| view! {
                    <tr>
                        <td>
                            <a href=format!("/admin/posts/{}", post.id)>{post.title}</a>
                            {(post.kind == PostKind::Page).then(|| view! {
                                " " <span class="kind-badge" data-testid="page-badge">"Page"</span>
                            })}
                            {post.latest_request.map(|request| view! {
                                <p class="latest-request" data-testid="latest-request">{request}</p>
                            })}
                        </td>
                        <td>
                            {status_label(post.status)}
                            {post.publish_at.map(|at| format!(" for {at}"))}
                            {post.publish_in.map(|when| format!(" ({when})"))}
                            {post.review_due.map(|due| view! {
                                <p class="review-due-note" class:overdue=post.review_overdue data-testid="review-due">
                                    {if post.review_overdue { format!("Review overdue since {due}") } else { format!("Review due {due}") }}
                                </p>
                            })}
                        </td>
                        <td>{post.authors}</td>
                        <td>{post.tags}</td>
                        <td>{post.updated_at}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

/// All posts, filtered by status, author and tag, with a title search;
/// the filters live in the address so a filtered list can be shared.
#[component]
pub fn PostsPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |key: &'static str| query.with(|q| q.get(key).unwrap_or_default());
    let posts = Resource::new(
        move || {
            (
                get("status"),
                get("author"),
                get("tag"),
                get("q"),
                get("review"),
                get("kind"),
            )
        },
        |(status, author, tag, q, review, kind)| list_posts(status, author, tag, q, review, kind),
    );
    let staff = Resource::new(|| (), |_| list_staff());
    view! {
        <Title text="Posts" />
        <h1>"Posts"</h1>
        <p><a href="/admin/tags">"Tags"</a></p>
        <NewPostForm />
        <form class="filters" method="get" action="/admin/posts" role="search">
            <label for="filter-kind">"Show"</label>
            <select id="filter-kind" name="kind" data-testid="filter-kind">
                <option value="">"Articles and pages"</option>
                {PostKind::ALL.into_iter().map(|kind| view! {
                    <option value=kind.as_str() selected=move || get("kind") == kind.as_str()>
                        {if kind == PostKind::Page { "Pages" } else { "Articles" }}
                    </option>
                }).collect_view()}
            </select>
            <label for="filter-status">"Status"</label>
            <select id="filter-status" name="status">
                <option value="">"All but the trash"</option>
                {PostStatus::ALL.into_iter().map(|status| view! {
                    <option value=status.as_str() selected=move || get("status") == status.as_str()>
                        {status_label(status)}
                    </option>
                }).collect_view()}
            </select>
            <label for="filter-author">"Author"</label>
            <select id="filter-author" name="author">
                <option value="">"Anyone"</option>
                <Suspense>
                    {move || Suspend::new(async move {
                        staff.await.unwrap_or_default().into_iter().map(|person| {
                            let value = person.id.to_string();
                            let selected = get("author") == value;
                            view! { <option value=value selected=selected>{person.name}</option> }
                        }).collect_view()
                    })}
                </Suspense>
            </select>
            <label for="filter-tag">"Tag (slug)"</label>
            <input id="filter-tag" name="tag" prop:value=move || get("tag") />
            <label for="filter-q">"Title contains"</label>
            <input id="filter-q" name="q" type="search" prop:value=move || get("q") />
            <label for="filter-review">"Medical review"</label>
            <select id="filter-review" name="review" data-testid="filter-review">
                <option value="">"Any"</option>
                <option value="due" selected=move || get("review") == "due">"Due for review (30 days) or overdue"</option>
            </select>
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match posts.await {
                    Ok(posts) => view! { <PostTable posts empty="No posts match." /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Posts waiting for a review, oldest first.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let queue = Resource::new(|| (), |_| review_queue());
    view! {
        <Title text="Review" />
        <h1>"Waiting for review"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(posts) => view! { <PostTable posts empty="Nothing is waiting for review." /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The caller's notifications; opening the page marks them read.
#[component]
pub fn NotificationsPage() -> impl IntoView {
    let items = Resource::new(|| (), |_| list_notifications());
    Effect::new(move |_| {
        if items.get().is_some_and(|result| result.is_ok()) {
            leptos::task::spawn_local(async move {
                let _ = mark_notifications_read().await;
            });
        }
    });
    view! {
        <Title text="Notifications" />
        <h1>"Notifications"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match items.await {
                    Ok(items) if items.is_empty() => view! { <p class="empty">"No notifications."</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="notifications" data-testid="notifications">
                            {items.into_iter().map(|item| view! {
                                <li class:unread=!item.read>
                                    <a href=format!("/admin/posts/{}", item.post_id)>{item.message}</a>
                                    <span class="muted">{format!(" · {}", item.at)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Every revision of a post; any two compared; any one restored as a new
/// revision.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    let refresh = RwSignal::new(0u32);
    let revisions = Resource::new(move || (id(), refresh.get()), |(id, _)| post_history(id));
    let from = RwSignal::new(None::<i64>);
    let to = RwSignal::new(None::<i64>);
    let diff = RwSignal::new(None::<Result<DiffView, crate::error::AppError>>);
    let message = RwSignal::new(None::<String>);
    // The choices wait for the page's scripts, which act on them.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let ready = ready.read_only();
    let compare = move |_| {
        if let (Some(from), Some(to)) = (from.get_untracked(), to.get_untracked()) {
            let id = id();
            leptos::task::spawn_local(async move { diff.set(Some(revision_diff(id, from, to).await)) });
        }
    };
    let restore = move |revision: i64| {
        let id = id();
        leptos::task::spawn_local(async move {
            let result = match load_post(id).await {
                Ok(current) => restore_revision(id, revision, current.post.version).await,
                Err(error) => Err(error),
            };
            message.set(Some(match result {
                Ok(post) => format!("Restored as version {}.", post.version),
                Err(error) => error.to_string(),
            }));
            refresh.update(|n| *n += 1);
        });
    };
    view! {
        <Title text="History" />
        <p class="breadcrumbs"><a href=move || format!("/admin/posts/{}", id())>"Back to the editor"</a></p>
        <h1>"History"</h1>
        {move || message.get().map(|text| view! { <p role="status" data-testid="history-message">{text}</p> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match revisions.await {
                    Ok(list) => view! { <RevisionTable list from to restore ready /> }.into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <button type="button" data-testid="compare" on:click=compare
            disabled=move || from.get().is_none() || to.get().is_none()>"Compare the two"</button>
        {move || diff.get().map(|result| match result {
            Ok(diff) => view! { <DiffTable diff /> }.into_any(),
            Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
        })}
    }
}

#[component]
fn RevisionTable(
    list: Vec<RevisionView>,
    from: RwSignal<Option<i64>>,
    to: RwSignal<Option<i64>>,
    restore: impl Fn(i64) + Copy + Send + Sync + 'static,
    ready: ReadSignal<bool>,
) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="empty">"No saved revisions yet."</p> }.into_any();
    }
    view! {
        <table class="revisions" data-testid="revisions">
            <thead>
                <tr><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col">"Version"</th>
                    <th scope="col">"Saved by"</th><th scope="col">"When"</th><th scope="col">"Kind"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {list.into_iter().map(|revision| {
                    let rid = revision.id;
                    view! {
                        <tr>
                            <td><input type="radio" name="from" aria-label=format!("Compare from version {}", revision.version)
                                disabled=move || !ready.get() on:change=move |_| from.set(Some(rid)) /></td>
                            <td><input type="radio" name="to" aria-label=format!("Compare to version {}", revision.version)
                                disabled=move || !ready.get() on:change=move |_| to.set(Some(rid)) /></td>
                            <td>{revision.version} {revision.live.then_some(" (live)")}</td>
                            <td>{revision.saved_by}</td>
                            <td>{revision.at}</td>
                            <td>{revision.kind} {format!(" · {}", status_label(revision.status))}</td>
                            <td><button type="button" class="link" on:click=move |_| restore(rid)
                                disabled=move || !ready.get()
                                data-testid=format!("restore-{}", revision.version)>"Restore"</button></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DiffTable(diff: DiffView) -> impl IntoView {
    view! {
        <section class="diff" data-testid="diff">
            <h2>{format!("Version {} → version {}", diff.from.version, diff.to.version)}</h2>
            {(!diff.fields.is_empty()).then(|| view! {
                <dl class="diff-fields">
                    {diff.fields.into_iter().map(|(field, before, after)| view! {
                        <dt>{field}</dt>
                        <dd><del>{before}</del> " → " <ins>{after}</ins></dd>
                    }).collect_view()}
                </dl>
            })}
            <pre class="diff-body">
                {diff.body.into_iter().map(|line| {
                    let class = match line.sign { '+' => "added", '-' => "removed", _ => "same" };
                    view! { <span class=class>{format!("{} {}\n", line.sign, line.text)}</span> }
                }).collect_view()}
            </pre>
        </section>
    }
}

/// Every tag with its post count; editors rename and describe them.
#[component]
pub fn TagsPage() -> impl IntoView {
    let tags = Resource::new(|| (), |_| list_tags());
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Title text="Tags" />
        <h1>"Tags"</h1>
        <p>"Tags are created in the editor. Their description shows on the tag's public page."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let editor = me.await.ok().flatten().is_some_and(|user| user.role >= Role::Editor);
                match tags.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No tags yet."</p> }.into_any(),
                    Ok(list) => list.into_iter().map(|tag| view! { <TagForm tag editor /> }).collect_view().into_any(),
                    Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TagForm(tag: TagView, editor: bool) -> impl IntoView {
    let update = ServerAction::<UpdateTag>::new();
    let heading = format!("{} · {} posts · /tags/{}", tag.name, tag.posts, tag.slug);
    view! {
        <ActionForm action=update attr:class="card tag-form">
            <h2>{heading}</h2>
            <input type="hidden" name="id" value=tag.id.to_string() />
            <div class="field">
                <label for=format!("tag-{}-name", tag.id)>"Name"</label>
                <input id=format!("tag-{}-name", tag.id) name="name" value=tag.name required=true readonly=!editor />
                <crate::components::FieldErrorText id=format!("tag-{}-name-error", tag.id)
                    errors=field_errors(update.value(), "name") />
            </div>
            <div class="field">
                <label for=format!("tag-{}-description", tag.id)>"Description"</label>
                <textarea id=format!("tag-{}-description", tag.id) name="description" rows="2" readonly=!editor>
                    {tag.description}
                </textarea>
                <crate::components::FieldErrorText id=format!("tag-{}-description-error", tag.id)
                    errors=field_errors(update.value(), "description") />
            </div>
            <FormAlert result=update.value() fields=&["name", "description"] />
            <p class="status" aria-live="polite">
                {move || matches!(update.value().get(), Some(Ok(_))).then_some("Tag saved.")}
            </p>
            {editor.then(|| view! {
                <button type="submit" disabled=move || update.pending().get()>"Save tag"</button>
            })}
        </ActionForm>
    }
}

/// A month of scheduled and published posts, navigable by month.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let month = move || query.with(|q| q.get("month").unwrap_or_default());
    let view = Resource::new(month, calendar);
    view! {
        <Title text="Calendar" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Ok(month) => view! { <CalendarMonth month /> }.into_any(),
                    Err(error) => view! { <h1>"Calendar"</h1><p role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CalendarMonth(month: CalendarView) -> impl IntoView {
    view! {
        <h1>{format!("Calendar: {}", month.title)}</h1>
        <p class="calendar-nav">
            <a href=format!("/admin/calendar?month={}", month.previous) rel="prev">"Previous month"</a>
            " · "
            <a href=format!("/admin/calendar?month={}", month.next) rel="next">"Next month"</a>
            {format!(" · Times in {}", month.time_zone)}
        </p>
        <table class="calendar" data-testid="calendar">
            <thead>
                <tr>
                    {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                        .into_iter()
                        .map(|day| view! { <th scope="col">{day}</th> })
                        .collect_view()}
                </tr>
            </thead>
            <tbody>
                {month.weeks.into_iter().map(|week| view! {
                    <tr>
                        {week.into_iter().map(|day| view! {
                            <td class:today=day.today class:blank=day.day == 0>
                                {(day.day > 0).then(|| view! { <span class="day-number">{day.day}</span> })}
                                <ul>
                                    {day.entries.into_iter().map(|entry| view! {
                                        <li class=format!("entry entry-{}", entry.status.as_str())>
                                            <a href=format!("/admin/posts/{}", entry.id)>
                                                {format!("{} {}", entry.time, entry.title)}
                                            </a>
                                            {format!(" ({})", status_label(entry.status))}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </td>
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
