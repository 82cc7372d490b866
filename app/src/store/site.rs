//! The site's identity, shared by both databases: the clinic's details
//! and the menus. Both are printed on every public page, so each change
//! moves the public version.

use super::queries::shared_queries;
use crate::audit::NewAuditEntry;
use chrono::{DateTime, Utc};
use sqlx::Transaction;

use super::sql;
use crate::domain::{ClinicDetails, MenuTarget, Menus};
use crate::error::AppError;
use crate::input::clinic::ClinicUpdate;
use crate::input::menu::MenuUpdate;
use crate::store::model::site::{ClinicRow, MenuItemRow};

const CLINIC_COLUMNS: &str = "name, street_address, locality, region, postal_code, country, phone, email, \
                              booking_url, disclaimer, opening_hours";

shared_queries! {
    pub async fn clinic_details(&self) -> Result<ClinicDetails, AppError> {
        let sql = format!("SELECT {CLINIC_COLUMNS} FROM clinic_details WHERE id = 1");
        let row: Option<ClinicRow> = sqlx::query_as(&sql).fetch_optional(self.reader).await?;
        Ok(row.map(ClinicDetails::from).unwrap_or_default())
    }

    pub async fn update_clinic_details(
        &self,
        update: &ClinicUpdate,
        audit: &NewAuditEntry,
    ) -> Result<ClinicDetails, AppError> {
        let mut tx = self.writer.begin().await?;
        Self::write_clinic(&mut tx, update).await?;
        Self::insert_audit(&mut tx, audit).await?;
        self.commit_public(tx, true).await?;
        Ok(update.details().clone())
    }

    /// Part of a transaction: the clinic's details become `update`'s
    /// (a save, or a restore).
    pub(super) async fn write_clinic(tx: &mut Transaction<'_, DB>, update: &ClinicUpdate) -> Result<(), AppError> {
        let clinic = update.details();
        let hours = serde_json::to_string(&clinic.hours).map_err(AppError::internal)?;
        // The row is made by the migration; `RETURNING` tells that it is
        // still there, on both databases alike.
        let changed: Option<i64> = sqlx::query_scalar(
            "UPDATE clinic_details SET name = $1, street_address = $2, locality = $3, region = $4, \
             postal_code = $5, country = $6, phone = $7, email = $8, booking_url = $9, disclaimer = $10, \
             opening_hours = $11 WHERE id = 1 RETURNING id",
        )
        .bind(clinic.name.as_str())
        .bind(clinic.street_address.as_str())
        .bind(clinic.locality.as_str())
        .bind(clinic.region.as_str())
        .bind(clinic.postal_code.as_str())
        .bind(clinic.country.as_str())
        .bind(clinic.phone.as_str())
        .bind(clinic.email.as_str())
        .bind(clinic.booking_url.as_str())
        .bind(clinic.disclaimer.as_str())
        .bind(hours.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        if changed.is_none() {
            return Err(AppError::internal("the clinic_details row is missing"));
        }
        Ok(())
    }

    pub async fn menus(&self) -> Result<Menus, AppError> {
        let rows: Vec<MenuItemRow> =
            sqlx::query_as("SELECT menu, label, kind, target FROM menu_items ORDER BY menu, position")
                .fetch_all(self.reader)
                .await?;
        Ok(menus_of(rows))
    }

    pub async fn replace_menus(&self, update: &MenuUpdate, audit: &NewAuditEntry) -> Result<Menus, AppError> {
        let mut tx = self.writer.begin().await?;
        Self::write_menus(&mut tx, update).await?;
        Self::insert_audit(&mut tx, audit).await?;
        self.commit_public(tx, true).await?;
        Ok(update.menus().clone())
    }

    /// Part of a transaction: both menus become `update`'s items.
    pub(super) async fn write_menus(tx: &mut Transaction<'_, DB>, update: &MenuUpdate) -> Result<(), AppError> {
        let menus = update.menus();
        sqlx::query("DELETE FROM menu_items").execute(&mut **tx).await?;
        for (menu, items) in [("header", &menus.header), ("footer", &menus.footer)] {
            for (position, item) in (0_i64..).zip(items.iter()) {
                sqlx::query(
                    "INSERT INTO menu_items (menu, position, label, kind, target) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(menu)
                .bind(position)
                .bind(item.label.as_str())
                .bind(item.kind.as_str())
                .bind(item.target.as_str())
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Whether a menu item's target is there for readers at `now`.
    pub async fn menu_target_exists(
        &self,
        kind: MenuTarget,
        slug: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        if sql::cannot_match(slug) {
            return Ok(false);
        }
        let sql = format!(
            "SELECT count(*) FROM (SELECT $1 AS kind, $2 AS target) item WHERE {}",
            target_present("item.kind", "item.target", "$3")
        );
        let found: i64 = sqlx::query_scalar(&sql)
            .bind(kind.as_str())
            .bind(slug)
            .bind(now)
            .fetch_one(self.reader)
            .await?;
        Ok(found > 0)
    }

    /// The menus' items that lead somewhere readers can go at `now`, in
    /// order: one query for every public page's header and footer.
    pub async fn live_menus(&self, now: DateTime<Utc>) -> Result<Menus, AppError> {
        let sql = format!(
            "SELECT m.menu, m.label, m.kind, m.target FROM menu_items m WHERE {} ORDER BY m.menu, m.position",
            target_present("m.kind", "m.target", "$1")
        );
        let rows: Vec<MenuItemRow> = sqlx::query_as(&sql).bind(now).fetch_all(self.reader).await?;
        Ok(menus_of(rows))
    }
}

/// The condition under which a menu item (its `kind` and `target`
/// expressions) leads to something readers can see at `now`: an address,
/// a tag (whose page lists what it has), an author with a public article
/// (as `/authors/{slug}` asks), a live article or page (by its slug now
/// or before).
fn target_present(kind: &str, target: &str, now: &str) -> String {
    format!(
        "({kind} = 'url' \
         OR ({kind} = 'tag' AND EXISTS (SELECT 1 FROM tags t WHERE t.slug = {target})) \
         OR ({kind} = 'author' AND EXISTS (SELECT 1 FROM users u JOIN post_authors a ON a.user_id = u.id \
             JOIN posts p ON p.id = a.post_id WHERE u.slug = {target} AND {article})) \
         OR ({kind} = 'post' AND EXISTS (SELECT 1 FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE {named} AND {article})) \
         OR ({kind} = 'page' AND EXISTS (SELECT 1 FROM posts p JOIN post_revisions r ON r.id = p.live_revision_id \
             WHERE {named} AND {page})))",
        // A renamed article or page keeps its menu item: its old address
        // answers 301 to the new one.
        named = format!(
            "(r.slug = {target} OR EXISTS (SELECT 1 FROM post_slug_history h WHERE h.post_id = p.id AND h.slug = {target}))"
        ),
        article = sql::public_at(now),
        page = sql::public_page_at(now),
    )
}

/// Rows in `menu, position` order, as the two menus.
fn menus_of(rows: Vec<MenuItemRow>) -> Menus {
    let mut menus = Menus::default();
    for row in rows {
        let list = if row.menu == "header" {
            &mut menus.header
        } else {
            &mut menus.footer
        };
        list.extend(row.item());
    }
    menus
}
