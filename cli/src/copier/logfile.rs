//! `client.log` / `sender.log`: one timestamped line per event, appended to the file and echoed
//! to stderr.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

pub struct LogFile {
    file: File,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn timestamp() -> String {
    chrono::DateTime::from_timestamp_millis(now_ms())
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

impl LogFile {
    pub fn open(path: &Path) -> Result<Self, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let file =
            OpenOptions::new().create(true).append(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self { file })
    }

    /// `level` is INFO, WARN, ERROR or REFUSED.
    pub fn line(&mut self, level: &str, message: &str) {
        let line = format!("{} {level} {message}\n", timestamp());
        let _ = self.file.write_all(line.as_bytes());
        let _ = self.file.flush();
        eprint!("{line}");
    }

    pub fn info(&mut self, message: &str) {
        self.line("INFO", message);
    }

    pub fn warn(&mut self, message: &str) {
        self.line("WARN", message);
    }

    pub fn error(&mut self, message: &str) {
        self.line("ERROR", message);
    }
}
