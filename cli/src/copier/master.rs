//! `auronex copier master`: posts the master's order events to the channel. Events are JSON
//! lines, read from a file it follows like `tail -f` (the byte offset of the last posted line is
//! kept in `sender_state.json`, so a restart neither skips nor re-reads a line) or from stdin
//! (`"file": "-"`, stops at end of input). Each line is the body of a `POST /signal/*`, with
//! `"type"` choosing the route (`open`, the default, `close` or `modify`):
//! `{"type":"open","ticket":5001,"symbol":"XAUUSD","action":"BUY","volume":0.1,"price":2400.5,"sl":2390,"tp":2420}`,
//! `{"type":"modify","ticket":5001,"sl":2395}`, `{"type":"close","ticket":5001}`.
//! Unanswered posts are retried with backoff; that is safe because the room answers a repeated
//! (ticket, action) with the first message's `seq`.

use std::io::{BufRead, Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::api::{Api, CallError};
use super::backoff::Backoff;
use super::config::SenderConfig;
use super::logfile::LogFile;
use super::store;
use super::Failure;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Offset {
    offset: u64,
}

struct Sender {
    api: Api,
    log: LogFile,
    channel_id: Option<String>,
}

pub fn run(config_path: &Path) -> Result<(), Failure> {
    let config = SenderConfig::load(config_path).map_err(Failure::Config)?;
    let log = LogFile::open(&config.log_file).map_err(Failure::Runtime)?;
    let mut sender = Sender { api: Api::new(&config.api), log, channel_id: config.api.channel_id.clone() };
    if config.mt5.is_some() {
        sender.log.info("the mt5 block is read for compatibility only: order events come from `source`");
    }
    let source = &config.source;
    if source.file.as_os_str() == "-" {
        sender.log.info("starting copier master, reading order events from stdin");
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| Failure::Runtime(format!("stdin: {e}")))?;
            sender.post_line(&line)?;
        }
        sender.log.info("end of input");
        return Ok(());
    }
    let mut position: Offset = store::load(&source.offset_file).map_err(Failure::Runtime)?;
    sender.log.info(&format!(
        "starting copier master, following {} from byte {}",
        source.file.display(),
        position.offset
    ));
    loop {
        let fresh = read_from(&source.file, &mut position.offset, &mut sender.log).map_err(Failure::Runtime)?;
        if fresh.is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(source.poll_ms));
            continue;
        }
        let mut offset = position.offset;
        for line in fresh {
            sender.post_line(&line)?;
            offset += line.len() as u64 + 1;
            store::save(&source.offset_file, &Offset { offset }).map_err(Failure::Runtime)?;
        }
        position.offset = offset;
    }
}

/// The complete lines after `offset` (a partly written last line waits for its newline). A file
/// shorter than the offset was replaced: it is read again from the start.
fn read_from(path: &Path, offset: &mut u64, log: &mut LogFile) -> Result<Vec<String>, String> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(format!("{}: {error}", path.display())),
    };
    let length = file.metadata().map_err(|e| format!("{}: {e}", path.display()))?.len();
    if length < *offset {
        log.warn(&format!("{} shrank below byte {offset}: reading it from the start", path.display()));
        *offset = 0;
    }
    file.seek(SeekFrom::Start(*offset)).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let complete = bytes.iter().rposition(|byte| *byte == b'\n').map(|last| &bytes[..last]).unwrap_or(&[]);
    if complete.is_empty() && !bytes.starts_with(b"\n") {
        return Ok(Vec::new());
    }
    Ok(complete.split(|byte| *byte == b'\n').map(|line| String::from_utf8_lossy(line).into_owned()).collect())
}

impl Sender {
    /// Posts one event until the server answers it; a refused event is logged and skipped.
    fn post_line(&mut self, line: &str) -> Result<(), Failure> {
        let text = line.trim();
        if text.is_empty() {
            return Ok(());
        }
        let mut event = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(event)) => event,
            _ => {
                self.log.error(&format!("skipped: not a JSON object: {text}"));
                return Ok(());
            }
        };
        let kind = event.remove("type").and_then(|t| t.as_str().map(str::to_string)).unwrap_or("open".into());
        let path = match kind.as_str() {
            "open" | "signal" | "broadcast" => "/signal/broadcast",
            "close" => "/signal/close",
            "modify" => "/signal/modify",
            other => {
                self.log.error(&format!("skipped: unknown type {other:?} (open, close or modify): {text}"));
                return Ok(());
            }
        };
        if let Some(channel) = &self.channel_id {
            event.entry("channel_id").or_insert(Value::String(channel.clone()));
        }
        let body = Value::Object(event);
        self.log.info(&format!("order event {kind}: {body}"));
        let mut backoff = Backoff::new();
        loop {
            let outcome = self.api.post(path, &body);
            let retry = match outcome {
                Ok(reply) if reply.status == 200 || reply.status == 201 => {
                    let duplicate = if reply.body["duplicate"] == true { " (duplicate: already sent)" } else { "" };
                    self.log.info(&format!("POST {path} -> {} seq={}{duplicate}", reply.status, reply.body["seq"]));
                    return Ok(());
                }
                Ok(reply) if reply.status == 429 || reply.status >= 500 => {
                    format!("POST {path}: {}", reply.error_text())
                }
                Ok(reply) => {
                    self.log.error(&format!("POST {path} refused: {}; event skipped", reply.error_text()));
                    return Ok(());
                }
                Err(CallError::Unreachable(reason)) => reason,
                Err(CallError::LoginRefused(reason)) => {
                    self.log.error(&format!("stopping: {reason}"));
                    return Err(Failure::Runtime(reason));
                }
            };
            let delay = backoff.next_delay();
            self.log.warn(&format!("{retry}; retrying in {delay:?}"));
            std::thread::sleep(delay);
        }
    }
}
