//! Direct SQL on a test server's local D1 file, for tests that must look at or tamper with
//! what is stored. Opened in-process with SQLite rather than through `wrangler d1 execute`,
//! which starts a second workerd on the live file and can make the server's own writes fail
//! with SQLITE_BUSY.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};

/// The D1 database file under a `--persist-to` directory (miniflare names it by a hash).
fn database_file(persist: &Path) -> PathBuf {
    let dir = persist.join("v3/d1/miniflare-D1DatabaseObject");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("no local D1 under {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "sqlite"))
        .filter(|path| path.file_stem().is_some_and(|stem| stem != "metadata"))
        .collect();
    assert_eq!(files.len(), 1, "expected one D1 database in {}: {files:?}", dir.display());
    files.pop().unwrap()
}

fn open(persist: &Path, read_only: bool) -> Connection {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let connection = Connection::open_with_flags(database_file(persist), flags).expect("open the local D1");
    connection.busy_timeout(Duration::from_secs(10)).expect("set busy timeout");
    // Never checkpoint from here: a checkpoint holds the file's locks long enough for the
    // server's own writes to fail with SQLITE_BUSY, and resets the WAL under workerd's feet.
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).expect("no checkpoint on close");
    connection.pragma_update(None, "wal_autocheckpoint", 0).expect("no automatic checkpoint");
    connection
}

fn json(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => x.into(),
        ValueRef::Text(text) => String::from_utf8_lossy(text).into_owned().into(),
        ValueRef::Blob(bytes) => bytes.iter().map(|&b| Value::from(b)).collect(),
    }
}

/// The rows of one query, each a JSON object keyed by column name (as `wrangler d1 execute
/// --json` prints them).
pub fn query(persist: &Path, sql: &str) -> Vec<Value> {
    let connection = open(persist, true);
    let mut statement = connection.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let columns: Vec<String> = statement.column_names().iter().map(|name| name.to_string()).collect();
    let mut rows = statement.query([]).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap_or_else(|e| panic!("{sql}: {e}")) {
        let mut object = Map::new();
        for (index, name) in columns.iter().enumerate() {
            object.insert(name.clone(), json(row.get_ref(index).expect("column")));
        }
        out.push(Value::Object(object));
    }
    out
}

/// Runs statements for their effect, in one transaction; `false` when the file was locked (the
/// server was writing): nothing was applied, and the caller may try again.
pub fn try_execute(persist: &Path, sql: &str) -> bool {
    let mut connection = open(persist, false);
    connection.busy_timeout(Duration::ZERO).expect("no busy wait");
    let busy = |error: &rusqlite::Error| error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
    let transaction = match connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(transaction) => transaction,
        Err(error) if busy(&error) => return false,
        Err(error) => panic!("begin: {error}"),
    };
    transaction.execute_batch(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    transaction.commit().expect("commit");
    true
}
