//! What the store reads and writes: its rows, the `New…` values it
//! inserts, and the filters and requests its methods take. Features build
//! these and read them; the store owns their shape.

pub mod accounts;
pub mod mail;
pub mod media;
pub mod pages;
pub mod passkeys;
pub mod posts;
pub mod previews;
pub mod sessions;
pub mod site;
pub mod tokens;
pub mod two_factor;
pub mod webhooks;
