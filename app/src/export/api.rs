//! The export's address. It is a plain download, not a server function:
//! the browser saves the archive as a file.

/// Where admins download the site's export (a .tar.gz of `vellum export`).
pub const EXPORT_PATH: &str = "/admin/export.tar.gz";
