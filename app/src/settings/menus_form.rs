//! The header and footer menus on the settings page. Items are reordered
//! with buttons (so the keyboard can) or by dragging their handle, and
//! saved together.

use std::collections::BTreeMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::api::{MenusView, SaveMenus, get_menus};
use crate::components::FormAlert;
use crate::domain::{MenuItem, MenuTarget, Menus};

/// Every field a save may report per item (`header.0` …), so the form's
/// alert does not repeat what stands beside each item.
const ITEM_FIELDS: &[&str] = &[
    "header",
    "footer",
    "header.0",
    "header.1",
    "header.2",
    "header.3",
    "header.4",
    "header.5",
    "header.6",
    "header.7",
    "header.8",
    "header.9",
    "header.10",
    "header.11",
    "footer.0",
    "footer.1",
    "footer.2",
    "footer.3",
    "footer.4",
    "footer.5",
    "footer.6",
    "footer.7",
    "footer.8",
    "footer.9",
    "footer.10",
    "footer.11",
];

/// Which menu a list edits, and how its field names start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Which {
    Header,
    Footer,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Footer => "footer",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::Header => "Header menu",
            Self::Footer => "Footer menu",
        }
    }
}

/// An item being edited, with a key that survives reordering.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    key: u64,
    item: MenuItem,
}

fn moved(rows: &mut Vec<Row>, from: usize, to: usize) {
    if from < rows.len() && to < rows.len() && from != to {
        let row = rows.remove(from);
        rows.insert(to, row);
    }
}

/// The field names (`header.2`) of the rows as they are now, by row key:
/// the server answers by position, and the rows may move after a save.
fn fields_by_key(which: Which, rows: &[Row]) -> impl Iterator<Item = (String, u64)> + '_ {
    rows.iter()
        .enumerate()
        .map(move |(at, row)| (format!("{}.{at}", which.name()), row.key))
}

/// Moves the focus to the element with `id`, once the list has redrawn.
fn focus_later(id: String) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&id)
            .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// What every row of both lists shares.
#[derive(Clone, Copy)]
struct Editing {
    next_key: StoredValue<u64>,
    /// The row being dragged, by key.
    dragging: RwSignal<Option<u64>>,
    announce: WriteSignal<String>,
    /// The latest problem of each row, by key.
    problems: Signal<BTreeMap<u64, String>>,
}

impl Editing {
    fn key(self) -> u64 {
        let key = self.next_key.get_value();
        self.next_key.set_value(key + 1);
        key
    }
}

#[component]
fn MenuRow(which: Which, row: Row, rows: RwSignal<Vec<Row>>, editing: Editing) -> impl IntoView {
    let key = row.key;
    let id = |part: &str| format!("menu-{}-{key}-{part}", which.name());
    let position = move || rows.with(|rows| rows.iter().position(|row| row.key == key).unwrap_or(0));
    let label = move || rows.with(|rows| rows.iter().find(|row| row.key == key).map(|row| row.item.label.clone()));
    let label = move || {
        label()
            .filter(|label| !label.is_empty())
            .unwrap_or_else(|| "this item".to_owned())
    };
    let edit = move |change: Box<dyn FnOnce(&mut MenuItem)>| {
        rows.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|row| row.key == key) {
                change(&mut row.item);
            }
        });
    };
    let shift = move |by: isize, button: &'static str| {
        let from = position();
        let count = rows.with(Vec::len);
        let Some(to) = from.checked_add_signed(by).filter(|to| *to < count) else {
            return;
        };
        rows.update(|rows| moved(rows, from, to));
        editing
            .announce
            .set(format!("{} moved to position {} of {count}.", label(), to + 1));
        // At either end the button pressed is disabled: the other keeps
        // the focus in the row.
        let stays = if to == 0 || to + 1 == count {
            if button == "up" { "down" } else { "up" }
        } else {
            button
        };
        focus_later(format!("menu-{}-{key}-{stays}", which.name()));
    };
    let remove = move |_| {
        let at = position();
        let gone = label();
        rows.update(|rows| rows.retain(|row| row.key != key));
        editing.announce.set(format!("{gone} removed."));
        let next = rows.with(|rows| rows.get(at).or_else(|| rows.last()).map(|row| row.key));
        focus_later(match next {
            Some(next) => format!("menu-{}-{next}-label", which.name()),
            None => format!("menu-{}-add", which.name()),
        });
    };
    let drop_here = move |event: leptos::ev::DragEvent| {
        event.prevent_default();
        if let Some(from_key) = editing.dragging.get_untracked() {
            let from = rows.with(|rows| rows.iter().position(|row| row.key == from_key));
            let to = position();
            if let Some(from) = from.filter(|from| *from != to) {
                rows.update(|rows| moved(rows, from, to));
                editing.announce.set(format!("Moved to position {}.", to + 1));
            }
        }
        editing.dragging.set(None);
    };
    let error_id = id("error");
    view! {
        <li class="menu-item" on:dragover=move |event| event.prevent_default() on:drop=drop_here>
            // Only the handle drags, so text in the fields stays selectable.
            <span class="drag-handle" aria-hidden="true" draggable="true"
                on:dragstart=move |event: leptos::ev::DragEvent| {
                    if let Some(transfer) = event.data_transfer() {
                        let _ = transfer.set_data("text/plain", &key.to_string());
                    }
                    editing.dragging.set(Some(key));
                }
                on:dragend=move |_| editing.dragging.set(None)
            >"⠿"</span>
            <label for=id("label")>"Label"</label>
            <input id=id("label") type="text" value=row.item.label.clone() aria-describedby=error_id.clone()
                on:input=move |event| {
                    let text = event_target_value(&event);
                    edit(Box::new(move |item| item.label = text));
                } />
            <label for=id("kind")>"Leads to"</label>
            <select id=id("kind")
                on:change=move |event| {
                    let kind = MenuTarget::parse(&event_target_value(&event)).unwrap_or_default();
                    edit(Box::new(move |item| item.kind = kind));
                }
            >
                {MenuTarget::ALL.into_iter().map(|kind| view! {
                    <option value=kind.as_str() selected=kind == row.item.kind>{kind.label()}</option>
                }).collect_view()}
            </select>
            <label for=id("target")>"Slug or address"</label>
            <input id=id("target") type="text" value=row.item.target.clone() aria-describedby=error_id.clone()
                placeholder="about, or https://…"
                on:input=move |event| {
                    let text = event_target_value(&event);
                    edit(Box::new(move |item| item.target = text));
                } />
            <span class="menu-item-actions">
                <button type="button" id=id("up") class="button-secondary" on:click=move |_| shift(-1, "up")
                    disabled=move || position() == 0 aria-label=move || format!("Move {} up", label())>
                    "↑"
                </button>
                <button type="button" id=id("down") class="button-secondary" on:click=move |_| shift(1, "down")
                    disabled=move || position() + 1 >= rows.with(Vec::len)
                    aria-label=move || format!("Move {} down", label())>
                    "↓"
                </button>
                <button type="button" class="button-secondary" on:click=remove
                    aria-label=move || format!("Remove {}", label())>
                    "Remove"
                </button>
            </span>
            <p class="field-error" id=error_id aria-live="polite">
                {move || editing.problems.with(|problems| problems.get(&key).cloned())}
            </p>
        </li>
    }
}

#[component]
fn MenuList(which: Which, rows: RwSignal<Vec<Row>>, editing: Editing) -> impl IntoView {
    let name = which.name();
    let add = move |_| {
        let key = editing.key();
        rows.update(|rows| {
            rows.push(Row {
                key,
                item: MenuItem::default(),
            })
        });
        focus_later(format!("menu-{name}-{key}-label"));
    };
    view! {
        <section class="menu-editor" aria-labelledby=format!("menu-{name}-heading")>
            <h3 id=format!("menu-{name}-heading")>{which.title()}</h3>
            <ol class="menu-items">
                <For each=move || rows.get() key=|row| row.key
                    children=move |row| view! { <MenuRow which row rows editing /> } />
            </ol>
            <button type="button" id=format!("menu-{name}-add") class="button-secondary" on:click=add>
                {format!("Add an item to the {}", which.title().to_lowercase())}
            </button>
        </section>
    }
}

/// The form, once the saved menus are loaded.
#[component]
fn MenusEditor(saved: MenusView) -> impl IntoView {
    let save = ServerAction::<SaveMenus>::new();
    let next_key = StoredValue::new(0_u64);
    let rows_of = |items: &[MenuItem]| {
        items
            .iter()
            .map(|item| {
                let key = next_key.get_value();
                next_key.set_value(key + 1);
                Row {
                    key,
                    item: item.clone(),
                }
            })
            .collect::<Vec<_>>()
    };
    let header = RwSignal::new(rows_of(&saved.menus.header));
    let footer = RwSignal::new(rows_of(&saved.menus.footer));
    // Which row each reported field meant when the menus were loaded or
    // last sent.
    let sent = StoredValue::new(BTreeMap::<String, u64>::new());
    let remember = move || {
        let mut fields = BTreeMap::new();
        header.with_untracked(|rows| fields.extend(fields_by_key(Which::Header, rows)));
        footer.with_untracked(|rows| fields.extend(fields_by_key(Which::Footer, rows)));
        sent.set_value(fields);
    };
    remember();
    let loaded_problems = saved.problems.clone();
    let problems = Signal::derive(move || {
        let by_field: BTreeMap<String, String> = match save.value().get() {
            Some(Err(error)) => sent.with_value(|fields| {
                fields
                    .keys()
                    .filter_map(|field| Some((field.clone(), error.field_messages(field).first()?.clone())))
                    .collect()
            }),
            Some(Ok(view)) => view.problems,
            None => loaded_problems.clone(),
        };
        sent.with_value(|fields| {
            by_field
                .into_iter()
                .filter_map(|(field, message)| Some((*fields.get(&field)?, message)))
                .collect()
        })
    });
    let (announcement, announce) = signal(String::new());
    let editing = Editing {
        next_key,
        dragging: RwSignal::new(None),
        announce,
        problems,
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        remember();
        let items = |rows: RwSignal<Vec<Row>>| rows.get_untracked().into_iter().map(|row| row.item).collect();
        save.dispatch(SaveMenus {
            menus: Menus {
                header: items(header),
                footer: items(footer),
            },
        });
    };
    view! {
        <form class="card" aria-labelledby="menus-heading" on:submit=submit>
            <h2 id="menus-heading">"Menus"</h2>
            <p class="hint">
                "Each item leads to a page, a tag, an author, an article (by its slug) or an address. \
                 Reorder with the arrow buttons or by dragging the handle."
            </p>
            <MenuList which=Which::Header rows=header editing />
            <MenuList which=Which::Footer rows=footer editing />
            <p class="visually-hidden" aria-live="polite">{announcement}</p>
            <FormAlert result=save.value() fields=ITEM_FIELDS />
            <p class="status" aria-live="polite">
                {move || matches!(save.value().get(), Some(Ok(_))).then_some("Menus saved.")}
            </p>
            <button type="submit" disabled=move || save.pending().get()>"Save the menus"</button>
        </form>
    }
}

#[component]
pub fn MenusForm() -> impl IntoView {
    let loaded = Resource::new(|| (), |_| get_menus());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                loaded.await.ok().map(|saved| view! { <MenusEditor saved /> })
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(labels: &[&str]) -> Vec<Row> {
        (0_u64..)
            .zip(labels)
            .map(|(key, label)| Row {
                key,
                item: MenuItem {
                    label: (*label).to_owned(),
                    ..MenuItem::default()
                },
            })
            .collect()
    }

    #[test]
    fn moving_keeps_every_item_once() {
        let mut list = rows(&["About", "Services", "Contact"]);
        moved(&mut list, 2, 0);
        let labels: Vec<_> = list.iter().map(|row| row.item.label.as_str()).collect();
        assert_eq!(labels, ["Contact", "About", "Services"]);
        moved(&mut list, 0, 5);
        assert_eq!(list.len(), 3, "a move past the end changes nothing");
    }

    #[test]
    fn reported_fields_name_the_rows_that_were_sent() {
        let mut list = rows(&["About", "Services"]);
        moved(&mut list, 1, 0);
        let fields: Vec<_> = fields_by_key(Which::Footer, &list).collect();
        assert_eq!(fields, [("footer.0".to_owned(), 1), ("footer.1".to_owned(), 0)]);
        assert_eq!(ITEM_FIELDS.len(), 2 + 2 * crate::domain::MENU_MAX_ITEMS);
    }
}
