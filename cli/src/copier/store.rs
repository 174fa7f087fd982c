//! The follower's local files: `copier_state.json` (`last_seq`, the equity peak) and
//! `tickets.json` (master ticket → client ticket and what is open). Each is replaced atomically
//! (write a temporary file, fsync, rename), so a crash leaves the old or the new version.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use auronex_core::copier::Action;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub fn load<T: DeserializeOwned + Default>(path: &Path) -> Result<T, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(error) => Err(format!("{}: {error}", path.display())),
    }
}

pub fn save<T: Serialize>(path: &Path, value: &T) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    let temporary = path.with_extension("json.tmp");
    let mut file = std::fs::File::create(&temporary).map_err(fail)?;
    let text = serde_json::to_string_pretty(value).map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&temporary, path).map_err(fail)
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FollowState {
    pub channel_id: Option<String>,
    /// The last message fully applied: executed, written to the ticket map, then recorded here.
    pub last_seq: i64,
    pub peak_equity: Option<Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Closed,
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Copy {
    pub status: Status,
    pub client_ticket: Option<String>,
    pub symbol: String,
    pub action: Action,
    /// Still open (0 once closed).
    pub volume: Decimal,
    pub open_price: Option<Decimal>,
    pub sl: Option<Decimal>,
    pub tp: Option<Decimal>,
    /// The refusing rule, for a refused open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_by: Option<String>,
    /// The newest message applied to this ticket: a replayed one at or below it is skipped.
    pub applied_seq: i64,
}

pub type Tickets = BTreeMap<String, Copy>;

/// What the open copies add up to, for the exposure rules.
pub fn open_exposure(tickets: &Tickets) -> (u32, Decimal) {
    tickets
        .values()
        .filter(|copy| copy.status == Status::Open)
        .fold((0, Decimal::ZERO), |(trades, lots), copy| (trades + 1, lots + copy.volume))
}
