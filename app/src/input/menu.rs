//! The menus as input: each item a short label and a target of the right
//! shape (a slug, or an address on the web or this site). Whether the
//! target exists is the settings feature's question, asked of the store.

use super::branding::LinkTarget;
use super::post::Slug;
use super::{collect, refuse_control};
use crate::domain::{MenuItem, MenuTarget, Menus};
use crate::error::{AppError, FieldErrors};

pub use crate::domain::MENU_MAX_ITEMS as MAX_ITEMS;

/// Menus whose every item has a label and a well-formed target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuUpdate(Menus);

/// One item, its label and target checked.
pub fn parse_item(raw: &MenuItem) -> Result<MenuItem, String> {
    let label = raw.label.trim();
    refuse_control(label, false, "the label")?;
    if label.is_empty() {
        return Err("Give the item a label readers will see.".into());
    }
    if label.chars().count() > 40 {
        return Err(format!("\"{label}\" is long for a menu; use at most 40 characters."));
    }
    let target = match raw.kind {
        MenuTarget::Url => {
            let link = LinkTarget::parse(&raw.target, "item's address")?;
            if link.as_str().is_empty() {
                return Err(format!("Enter where \"{label}\" leads."));
            }
            link.as_str().to_owned()
        }
        kind => {
            let slug = raw.target.trim().trim_start_matches('/');
            if !Slug::is_well_formed(slug) {
                return Err(format!(
                    "Choose the {} \"{label}\" leads to.",
                    kind.label().to_lowercase()
                ));
            }
            slug.to_owned()
        }
    };
    Ok(MenuItem {
        label: label.to_owned(),
        kind: raw.kind,
        target,
    })
}

impl MenuUpdate {
    /// Problems are reported per item, as `header.2` or `footer.0`.
    pub fn parse(raw: &Menus) -> Result<Self, AppError> {
        let mut problems = FieldErrors::new();
        let mut menu = |name: &str, items: &[MenuItem]| {
            if items.len() > MAX_ITEMS {
                problems
                    .entry(name.to_owned())
                    .or_default()
                    .push(format!("A menu holds at most {MAX_ITEMS} items."));
            }
            items
                .iter()
                .enumerate()
                .filter_map(|(at, raw)| collect(&mut problems, &format!("{name}.{at}"), parse_item(raw)))
                .collect::<Vec<_>>()
        };
        let menus = Menus {
            header: menu("header", &raw.header),
            footer: menu("footer", &raw.footer),
        };
        if problems.is_empty() {
            Ok(Self(menus))
        } else {
            Err(AppError::Validation { fields: problems })
        }
    }

    pub fn menus(&self) -> &Menus {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(label: &str, kind: MenuTarget, target: &str) -> MenuItem {
        MenuItem {
            label: label.into(),
            kind,
            target: target.into(),
        }
    }

    #[test]
    fn items_keep_their_order_and_are_trimmed() {
        let raw = Menus {
            header: vec![
                entry(" About ", MenuTarget::Page, "/about"),
                entry("Sleep", MenuTarget::Tag, "sleep"),
                entry("Book", MenuTarget::Url, "https://book.example/"),
            ],
            footer: vec![entry("Privacy", MenuTarget::Url, "/privacy")],
        };
        let update = MenuUpdate::parse(&raw).expect("valid");
        assert_eq!(update.menus().header[0], entry("About", MenuTarget::Page, "about"));
        assert_eq!(update.menus().header[2].target, "https://book.example/");
    }

    #[test]
    fn bad_items_are_named_by_menu_and_place() {
        let raw = Menus {
            header: vec![
                entry("", MenuTarget::Page, "about"),
                entry("Evil", MenuTarget::Url, "javascript:alert(1)"),
                entry("Nowhere", MenuTarget::Tag, "Not A Slug"),
                entry("Tab", MenuTarget::Url, "/\t/evil.example"),
            ],
            footer: vec![entry("x", MenuTarget::Url, ""); MAX_ITEMS + 1],
        };
        let error = MenuUpdate::parse(&raw).expect_err("bad");
        for field in ["header.0", "header.1", "header.2", "header.3", "footer", "footer.0"] {
            assert_eq!(error.field_messages(field).len(), 1, "{field}: {error:?}");
        }
    }
}
