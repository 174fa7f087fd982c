//! Each user's starting paper balance per currency, fixed the first time their wallets are
//! read: the admin setting (`paper_starting_balances`) of that moment is copied into
//! `paper_wallets`, so a later change of the setting applies to new wallets only. A currency
//! the settings do not list starts at zero.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;
use worker::D1Database;

use crate::admin::settings;
use crate::clock::now_rfc3339;

pub type Starts = BTreeMap<String, Decimal>;

#[derive(Deserialize)]
struct Row {
    currency: String,
    start_balance: String,
}

async fn stored(db: &D1Database, user_id: &str) -> worker::Result<Starts> {
    let rows: Vec<Row> = db
        .prepare("SELECT currency, start_balance FROM paper_wallets WHERE user_id = ?1")
        .bind(&[user_id.into()])?
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| (r.currency, r.start_balance.parse().unwrap_or(Decimal::ZERO))).collect())
}

/// The user's starting balances, opening a wallet for every currency the settings list that
/// the user does not have yet.
pub async fn load(db: &D1Database, user_id: &str) -> worker::Result<Starts> {
    let mut starts = stored(db, user_id).await?;
    let settings = settings::load(db).await?;
    let now = now_rfc3339();
    let mut inserts = Vec::new();
    for (currency, amount) in &settings.paper_starting_balances {
        if starts.contains_key(currency) {
            continue;
        }
        let statement = db.prepare(
            "INSERT OR IGNORE INTO paper_wallets (user_id, currency, start_balance, created_at) VALUES (?1, ?2, ?3, ?4)",
        );
        inserts.push(statement.bind(&[
            user_id.into(),
            currency.as_str().into(),
            amount.0.normalize().to_string().into(),
            now.as_str().into(),
        ])?);
    }
    if !inserts.is_empty() {
        db.batch(inserts).await?;
        // A concurrent first read may have opened the same wallets: the stored rows win.
        starts = stored(db, user_id).await?;
    }
    Ok(starts)
}
