//! An API token's name and scope.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Read,
    Write,
}

impl Scope {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "read" => Ok(Self::Read),
            "write" => Ok(Self::Write),
            _ => Err("Choose read or write.".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// A token's name: what its owner calls it, to tell tokens apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("Name the token after what will use it, such as \"Clinic website\".".into());
        }
        if name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err("Use at most 100 characters of plain text.".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
