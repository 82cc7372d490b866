//! The header and footer menus, as stored and as sent to the admin.

use serde::{Deserialize, Serialize};

/// A menu longer than this no longer fits a phone's header.
pub const MENU_MAX_ITEMS: usize = 12;

/// What a menu item leads to. Every kind but `Url` names a slug, so the
/// link follows the page, tag, author or post and can be checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MenuTarget {
    #[default]
    Page,
    Tag,
    Author,
    Post,
    Url,
}

impl MenuTarget {
    pub const ALL: [Self; 5] = [Self::Page, Self::Tag, Self::Author, Self::Post, Self::Url];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Tag => "tag",
            Self::Author => "author",
            Self::Post => "post",
            Self::Url => "url",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == text)
    }

    /// How the settings page names the kind.
    pub fn label(self) -> &'static str {
        match self {
            Self::Page => "Page",
            Self::Tag => "Tag",
            Self::Author => "Author",
            Self::Post => "Article",
            Self::Url => "Address",
        }
    }

    /// Where a reader goes, for a target that exists.
    pub fn href(self, target: &str) -> String {
        match self {
            Self::Page => format!("/{target}"),
            Self::Tag => format!("/tags/{target}"),
            Self::Author => format!("/authors/{target}"),
            Self::Post => format!("/posts/{target}"),
            Self::Url => target.to_owned(),
        }
    }
}

/// One item of a menu: what it says and where it leads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuItem {
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub kind: MenuTarget,
    /// A slug, or an address for `Url`.
    #[serde(default)]
    pub target: String,
}

/// Both menus, in their order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menus {
    #[serde(default)]
    pub header: Vec<MenuItem>,
    #[serde(default)]
    pub footer: Vec<MenuItem>,
}

/// A menu item as readers get it: its target found and its address made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuLink {
    pub label: String,
    pub href: String,
}
