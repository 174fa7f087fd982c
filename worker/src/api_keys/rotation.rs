//! Key rotation: re-seals stored keys that an older master key sealed under the current one,
//! page by page, never overwriting a row that changed in between. One run examines at most
//! `MAX_ROWS_PER_RUN` rows (D1 allows about 1,000 queries per invocation); when more remain the
//! report carries a `next_cursor` to continue from.

use serde::Serialize;
use worker::D1Database;

use super::repo;
use crate::clock;
use crate::vault::{self, Binding, Keyring, Sealed};

const PAGE: u32 = 100;
pub const MAX_ROWS_PER_RUN: u32 = 400;

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub current_key_id: String,
    /// Rows now sealed under the current key by this run.
    pub resealed: u32,
    /// Rows this run could not open: sealed with a key no longer configured, or damaged. Their
    /// ids are listed so an operator can restore the old key and run rotation again.
    pub failed: u32,
    pub failed_ids: Vec<String>,
    /// Rows sealed under each key after the run.
    pub by_key: Vec<repo::KeyCount>,
    /// `true` when every row was examined; otherwise run again with `{"cursor": next_cursor}`.
    pub complete: bool,
    pub next_cursor: Option<String>,
}

/// Re-seals rows (ids after `cursor`, in id order) until none are left or the budget is spent.
pub async fn run(db: &D1Database, ring: &Keyring, cursor: &str) -> worker::Result<Report> {
    let mut report = Report { current_key_id: ring.current.id.clone(), complete: true, ..Report::default() };
    let mut after = cursor.to_string();
    let mut examined = 0;
    loop {
        let page = PAGE.min(MAX_ROWS_PER_RUN - examined);
        let rows = repo::sealed_with_other_keys(db, &ring.current.id, &after, page).await?;
        let Some(last) = rows.last() else { break };
        after = last.id.clone();
        examined += rows.len() as u32;
        for row in &rows {
            let old = Sealed { key_id: row.key_id.clone(), blob: row.sealed.clone() };
            let binding = Binding { user_id: &row.user_id, row_id: &row.id };
            match vault::reseal(ring, binding, &old) {
                Ok(Some(new)) => {
                    if repo::replace_sealed(db, &row.id, &old, &new, &clock::now_rfc3339()).await? {
                        report.resealed += 1;
                    }
                }
                Ok(None) => {}
                Err(_) => {
                    report.failed += 1;
                    if report.failed_ids.len() < 100 {
                        report.failed_ids.push(row.id.clone());
                    }
                }
            }
        }
        if rows.len() < page as usize {
            break;
        }
        if examined >= MAX_ROWS_PER_RUN {
            report.complete = false;
            report.next_cursor = Some(after);
            break;
        }
    }
    report.by_key = repo::count_by_key(db).await?;
    Ok(report)
}
