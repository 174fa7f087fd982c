//! `auronex copier follow`: logs in, (re)subscribes when given an invite code, connects to
//! `/ws` resuming after the persisted `last_seq`, applies each message and acks it with the
//! client ticket; on any failure it reconnects with exponential backoff and resumes again.
//! A first run starts at the channel's head: older signals are history, not orders to copy.

use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::api::{Api, CallError};
use super::apply::{Copier, Files, Retry};
use super::backoff::Backoff;
use super::config::ClientConfig;
use super::executor;
use super::logfile::LogFile;
use super::Failure;

/// Silence longer than this gets a ping; a second silent period drops the connection.
const IDLE: Duration = Duration::from_secs(10);

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

/// Why a session ended.
enum End {
    /// Reconnect after the backoff delay.
    Reconnect(String),
    /// Retrying cannot help (wrong password, not a member of the channel).
    Fatal(String),
}

impl From<Retry> for End {
    fn from(Retry(reason): Retry) -> Self {
        End::Reconnect(reason)
    }
}

impl From<CallError> for End {
    fn from(error: CallError) -> Self {
        match error {
            CallError::Unreachable(reason) => End::Reconnect(reason),
            CallError::LoginRefused(reason) => End::Fatal(reason),
        }
    }
}

struct Follower {
    config: ClientConfig,
    api: Api,
    copier: Copier,
    channel_id: Option<String>,
    subscribed: bool,
    /// Set once a session applied a message or got a hello: the next failure starts a new backoff.
    progressed: bool,
}

pub fn run(config_path: &Path) -> Result<(), Failure> {
    let config = ClientConfig::load(config_path).map_err(Failure::Config)?;
    let mut log = LogFile::open(&config.files.log).map_err(Failure::Runtime)?;
    let executor = executor::build(&config.executor, &config.market).map_err(Failure::Runtime)?;
    log.info(&format!("starting copier follow ({})", executor.describe()));
    if config.mt5.is_some() {
        log.info("the mt5 block is read for compatibility only: orders go to the executor above");
    }
    let files = Files { state: config.files.state.clone(), tickets: config.files.tickets.clone() };
    let copier = Copier::new(log, executor, config.trade_copy.clone(), config.market.clone(), files)
        .map_err(Failure::Runtime)?;
    let mut follower = Follower {
        api: Api::new(&config.api),
        channel_id: config.api.channel_id.clone(),
        subscribed: config.api.invite_code.is_none(),
        config,
        copier,
        progressed: false,
    };
    let mut backoff = Backoff::new();
    loop {
        match follower.session() {
            End::Fatal(reason) => {
                follower.copier.log.error(&format!("stopping: {reason}"));
                return Err(Failure::Runtime(reason));
            }
            End::Reconnect(reason) => {
                if std::mem::take(&mut follower.progressed) {
                    backoff.reset();
                }
                let delay = backoff.next_delay();
                follower.copier.log.warn(&format!("disconnected: {reason}; reconnecting in {delay:?}"));
                std::thread::sleep(delay);
            }
        }
    }
}

impl Follower {
    fn session(&mut self) -> End {
        match self.connect_and_follow() {
            Ok(never) => match never {},
            Err(end) => end,
        }
    }

    fn subscribe(&mut self) -> Result<(), End> {
        let Some(code) = self.config.api.invite_code.clone() else { return Ok(()) };
        let body = json!({"invite_code": code, "trade_copy": self.config.trade_copy});
        let reply = self.api.post("/api/copier/subscriptions", &body)?;
        match reply.status {
            201 => {
                let channel = reply.body["channel_id"].as_str().unwrap_or_default().to_string();
                self.copier.log.info(&format!("subscribed to channel {channel} with this trade_copy"));
                if self.channel_id.as_ref().is_some_and(|configured| *configured != channel) {
                    return Err(End::Fatal(format!(
                        "api.invite_code belongs to channel {channel}, not api.channel_id"
                    )));
                }
                self.channel_id = Some(channel);
                self.subscribed = true;
                Ok(())
            }
            429 | 500.. => Err(End::Reconnect(format!("subscribe: {}", reply.error_text()))),
            _ => Err(End::Fatal(format!("subscribe: {}", reply.error_text()))),
        }
    }

    fn connect(&mut self, channel: &str) -> Result<Socket, End> {
        let token = self.api.token()?;
        let resuming = self.copier.state.channel_id.as_deref() == Some(channel);
        let mut url = format!("{}/ws?channel_id={channel}", self.config.api.ws_base());
        if resuming {
            url.push_str(&format!("&last_seq={}", self.copier.state.last_seq));
        }
        let mut request = url.as_str().into_client_request().map_err(|e| End::Fatal(format!("{url}: {e}")))?;
        let bearer = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| End::Fatal(e.to_string()))?;
        request.headers_mut().insert("authorization", bearer);
        match tungstenite::connect(request) {
            Ok((mut socket, _)) => {
                let stream = match socket.get_mut() {
                    MaybeTlsStream::Plain(stream) => Some(&*stream),
                    MaybeTlsStream::Rustls(stream) => Some(&stream.sock),
                    _ => None,
                };
                if let Some(stream) = stream {
                    let _ = stream.set_read_timeout(Some(IDLE));
                }
                Ok(socket)
            }
            Err(tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response.body().as_deref().map(String::from_utf8_lossy).unwrap_or_default().to_string();
                match status {
                    401 => {
                        self.api.forget_token();
                        Err(End::Reconnect(format!("websocket upgrade refused: 401 {body}")))
                    }
                    403 | 404 | 422 => Err(End::Fatal(format!("websocket upgrade refused: {status} {body}"))),
                    _ => Err(End::Reconnect(format!("websocket upgrade: {status} {body}"))),
                }
            }
            Err(error) => Err(End::Reconnect(format!("{url}: {error}"))),
        }
    }

    fn connect_and_follow(&mut self) -> Result<std::convert::Infallible, End> {
        if !self.subscribed {
            self.subscribe()?;
        }
        let channel = self.channel_id.clone().ok_or_else(|| End::Fatal("no channel to follow".into()))?;
        let mut socket = self.connect(&channel)?;
        let mut pinged_at: Option<Instant> = None;
        loop {
            let message = match socket.read() {
                Ok(message) => message,
                Err(tungstenite::Error::Io(error))
                    if matches!(error.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                {
                    if pinged_at.is_some() {
                        return Err(End::Reconnect(format!("no answer for {:?}", IDLE * 2)));
                    }
                    send(&mut socket, &json!({"type": "ping"}))?;
                    pinged_at = Some(Instant::now());
                    continue;
                }
                Err(error) => return Err(End::Reconnect(format!("websocket: {error}"))),
            };
            pinged_at = None;
            let text = match message {
                Message::Text(text) => text,
                Message::Close(frame) => return Err(End::Reconnect(format!("server closed the socket ({frame:?})"))),
                _ => continue,
            };
            let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
                self.copier.log.warn(&format!("not JSON: {text}"));
                continue;
            };
            self.on_message(&channel, &mut socket, &message)?;
        }
    }

    fn on_message(&mut self, channel: &str, socket: &mut Socket, message: &Value) -> Result<(), End> {
        match message["type"].as_str().unwrap_or_default() {
            "hello" => {
                self.progressed = true;
                let head = message["head_seq"].as_i64().unwrap_or(0);
                if self.copier.state.channel_id.as_deref() != Some(channel) {
                    self.copier.state.channel_id = Some(channel.to_string());
                    self.copier.state.last_seq = head;
                    self.copier.save_state()?;
                    self.copier.log.info(&format!(
                        "connected to channel {channel} as {}; first run: copying signals after head_seq={head}",
                        message["role"]
                    ));
                } else {
                    self.copier.log.info(&format!(
                        "connected to channel {channel}; resuming after last_seq={} (head_seq={head})",
                        self.copier.state.last_seq
                    ));
                }
            }
            "signal" | "close" | "modify" => {
                let ack = self.copier.handle(message)?;
                self.progressed = true;
                send(socket, &ack)?;
            }
            "gap" => self.copier.log.warn(&format!(
                "gap: messages before seq {} are gone from the server; reconcile open positions by hand",
                message["oldest_seq"]
            )),
            "pong" => {}
            "error" => self.copier.log.warn(&format!("server error message: {message}")),
            other => self.copier.log.warn(&format!("unknown message type {other:?}: {message}")),
        }
        Ok(())
    }
}

fn send(socket: &mut Socket, message: &Value) -> Result<(), End> {
    socket.send(Message::text(message.to_string())).map_err(|e| End::Reconnect(format!("websocket send: {e}")))
}
