//! Key rotation: re-seals every stored key that an older master key sealed under the current
//! one, page by page, never overwriting a row that changed in between.

use serde::Serialize;
use worker::D1Database;

use super::repo;
use crate::clock;
use crate::vault::{self, Binding, Keyring, Sealed};

const PAGE: u32 = 100;

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
}

pub async fn run(db: &D1Database, ring: &Keyring) -> worker::Result<Report> {
    let mut report = Report { current_key_id: ring.current.id.clone(), ..Report::default() };
    let mut after = String::new();
    loop {
        let rows = repo::sealed_with_other_keys(db, &ring.current.id, &after, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = last.id.clone();
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
        if rows.len() < PAGE as usize {
            break;
        }
    }
    report.by_key = repo::count_by_key(db).await?;
    Ok(report)
}
