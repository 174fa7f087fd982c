//! `config_client.json` and `config_sender.json`: the seed's file format (`api`, `mt5`,
//! `trade_copy`) plus the blocks this client needs (`executor`, `files`, `source`). Relative
//! paths are resolved against the config file's folder. A mistake is reported as one line naming
//! the file and the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use auronex_core::copier::TradeCopy;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub url: String,
    /// `ws://` or `wss://` base of `/ws`; derived from `url` when absent.
    #[serde(default)]
    pub ws_url: Option<String>,
    pub username: String,
    pub password: String,
    /// The channel to follow or publish to (a publisher's first channel when absent).
    #[serde(default)]
    pub channel_id: Option<String>,
    /// A follower with an invite code (re)subscribes at start with its `trade_copy`.
    #[serde(default)]
    pub invite_code: Option<String>,
}

impl Api {
    pub fn ws_base(&self) -> String {
        match &self.ws_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None => self.url.trim_end_matches('/').replacen("http", "ws", 1),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    pub api: Api,
    /// The seed's MetaTrader login block: accepted and unused (executors replace MT5).
    #[serde(default)]
    pub mt5: Option<Value>,
    #[serde(default)]
    pub trade_copy: TradeCopy,
    pub executor: ExecutorConfig,
    #[serde(default)]
    pub market: Market,
    #[serde(default)]
    pub files: ClientFiles,
}

#[derive(Debug)]
pub enum ExecutorConfig {
    Paper(PaperConfig),
    Jsonl(JsonlConfig),
}

/// `{"kind": "paper" | "jsonl", ...}`, read by hand so a mistake inside names its field
/// (serde's internally tagged enums lose the path).
impl<'de> Deserialize<'de> for ExecutorConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut value = Value::deserialize(deserializer)?;
        let kind = value.as_object_mut().and_then(|fields| fields.remove("kind"));
        let inner = |error: serde_path_to_error::Error<serde_json::Error>| {
            let path = error.path().to_string();
            D::Error::custom(format!("{path}: {}", error.into_inner()))
        };
        match kind.as_ref().and_then(Value::as_str) {
            Some("paper") => serde_path_to_error::deserialize(value).map(Self::Paper).map_err(inner),
            Some("jsonl") => serde_path_to_error::deserialize(value).map(Self::Jsonl).map_err(inner),
            Some(other) => {
                Err(D::Error::custom(format!("kind: unknown variant `{other}`, expected `paper` or `jsonl`")))
            }
            None => Err(D::Error::custom("kind: missing (`paper` or `jsonl`)")),
        }
    }
}

/// How the follower's symbols map to the executor's and how big a point is.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// Master symbol → exchange symbol (e.g. `"XAUUSD": "PAXGUSDT"`); identity when absent.
    #[serde(default)]
    pub symbols: BTreeMap<String, String>,
    /// Price units per point for the slippage and spread rules (default 0.01).
    #[serde(default, with = "auronex_core::num::option")]
    pub point: Option<Decimal>,
    /// Per-symbol points (`"EURUSD": 0.00001`).
    #[serde(default)]
    pub points: BTreeMap<String, Number>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Number(#[serde(with = "auronex_core::num")] pub Decimal);

impl Market {
    pub fn exchange_symbol(&self, symbol: &str) -> String {
        self.symbols.get(symbol).cloned().unwrap_or_else(|| symbol.replace(['/', '-', '_'], "").to_ascii_uppercase())
    }

    pub fn point(&self, symbol: &str) -> Decimal {
        self.points.get(symbol).map(|n| n.0).or(self.point).unwrap_or(Decimal::new(1, 2))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperConfig {
    /// Binance-format public API (`/api/v3/ticker/bookTicker`); `auronex exchange-sim` speaks it.
    #[serde(default = "binance_url")]
    pub base_url: String,
    #[serde(default = "starting_balance", with = "auronex_core::num")]
    pub balance: Decimal,
    /// Taker fee per fill, as a fraction of the notional (0.001 = 0.1%).
    #[serde(default = "taker_fee", with = "auronex_core::num")]
    pub fee_rate: Decimal,
    /// Units of the asset per lot.
    #[serde(default = "one", with = "auronex_core::num")]
    pub contract_size: Decimal,
    #[serde(default = "paper_account_file")]
    pub account_file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonlConfig {
    /// One JSON line per order, appended for a bridge program.
    pub orders_file: PathBuf,
    /// One JSON line per fill or rejection, appended by the bridge.
    pub fills_file: PathBuf,
    #[serde(default = "fill_timeout_secs")]
    pub fill_timeout_secs: u64,
    /// Optional Binance-format quote source, so slippage and spread can be checked.
    #[serde(default)]
    pub quotes_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClientFiles {
    pub log: PathBuf,
    /// `last_seq` and the equity peak.
    pub state: PathBuf,
    /// Master ticket → client ticket.
    pub tickets: PathBuf,
}

impl Default for ClientFiles {
    fn default() -> Self {
        Self { log: "client.log".into(), state: "copier_state.json".into(), tickets: "tickets.json".into() }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderConfig {
    pub api: Api,
    #[serde(default)]
    pub mt5: Option<Value>,
    pub source: Source,
    #[serde(default = "sender_log")]
    pub log_file: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// JSON lines of order events; `-` reads stdin.
    pub file: PathBuf,
    /// How far the file has been posted, so a restart resumes after the last posted line.
    #[serde(default = "sender_offset_file")]
    pub offset_file: PathBuf,
    #[serde(default = "poll_ms")]
    pub poll_ms: u64,
}

fn binance_url() -> String {
    "https://api.binance.com".into()
}
fn starting_balance() -> Decimal {
    Decimal::new(10_000, 0)
}
fn taker_fee() -> Decimal {
    Decimal::new(1, 3)
}
fn one() -> Decimal {
    Decimal::ONE
}
fn paper_account_file() -> PathBuf {
    "paper_account.json".into()
}
fn fill_timeout_secs() -> u64 {
    60
}
fn sender_log() -> PathBuf {
    "sender.log".into()
}
fn sender_offset_file() -> PathBuf {
    "sender_state.json".into()
}
fn poll_ms() -> u64 {
    200
}

fn read<T: DeserializeOwned>(path: &Path) -> Result<T, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let mut json = serde_json::Deserializer::from_str(&text);
    serde_path_to_error::deserialize(&mut json).map_err(|error| {
        let field = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        if field == "." || inner.is_syntax() || inner.is_eof() {
            format!("{name}: {inner}")
        } else {
            format!("{name}: {field}: {message}")
        }
    })
}

fn require_url(file: &Path, field: &str, url: &str, schemes: &[&str]) -> Result<(), String> {
    if schemes.iter().any(|scheme| url.starts_with(scheme)) && url.len() > schemes[0].len() + 3 {
        Ok(())
    } else {
        Err(format!("{}: {field}: `{url}` must start with {}", file.display(), schemes.join(" or ")))
    }
}

fn check_api(file: &Path, api: &Api) -> Result<(), String> {
    require_url(file, "api.url", &api.url, &["http://", "https://"])?;
    require_url(file, "api.ws_url", &api.ws_base(), &["ws://", "wss://"])?;
    if api.username.trim().is_empty() || api.password.is_empty() {
        return Err(format!("{}: api.username and api.password are required", file.display()));
    }
    Ok(())
}

fn resolve(base: &Path, path: &mut PathBuf) {
    if path.is_relative() && path.as_os_str() != "-" {
        *path = base.join(&*path);
    }
}

fn folder(file: &Path) -> PathBuf {
    file.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| ".".into())
}

impl ClientConfig {
    pub fn load(file: &Path) -> Result<Self, String> {
        let mut config: ClientConfig = read(file)?;
        check_api(file, &config.api)?;
        if config.api.channel_id.is_none() && config.api.invite_code.is_none() {
            return Err(format!("{}: api.channel_id or api.invite_code is required", file.display()));
        }
        config.trade_copy.validate().map_err(|e| format!("{}: {e}", file.display()))?;
        let base = folder(file);
        for path in [&mut config.files.log, &mut config.files.state, &mut config.files.tickets] {
            resolve(&base, path);
        }
        match &mut config.executor {
            ExecutorConfig::Paper(paper) => {
                require_url(file, "executor.base_url", &paper.base_url, &["http://", "https://"])?;
                if paper.balance <= Decimal::ZERO || paper.contract_size <= Decimal::ZERO {
                    return Err(format!("{}: executor.balance and contract_size must be positive", file.display()));
                }
                if paper.fee_rate < Decimal::ZERO || paper.fee_rate >= Decimal::ONE {
                    return Err(format!("{}: executor.fee_rate must be in [0, 1)", file.display()));
                }
                resolve(&base, &mut paper.account_file);
            }
            ExecutorConfig::Jsonl(jsonl) => {
                match &jsonl.quotes_url {
                    Some(url) => require_url(file, "executor.quotes_url", url, &["http://", "https://"])?,
                    // A limit the client cannot measure must not be silently off.
                    None if config.trade_copy.max_slippage_points.is_some()
                        || config.trade_copy.max_spread_points.is_some() =>
                    {
                        return Err(format!(
                            "{}: trade_copy.max_slippage_points and max_spread_points need prices: set \
                             executor.quotes_url (a Binance-format book ticker) or remove those limits",
                            file.display()
                        ));
                    }
                    None => {}
                }
                resolve(&base, &mut jsonl.orders_file);
                resolve(&base, &mut jsonl.fills_file);
            }
        }
        Ok(config)
    }
}

impl SenderConfig {
    pub fn load(file: &Path) -> Result<Self, String> {
        let mut config: SenderConfig = read(file)?;
        check_api(file, &config.api)?;
        let base = folder(file);
        for path in [&mut config.source.file, &mut config.source.offset_file, &mut config.log_file] {
            resolve(&base, path);
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config_client.json");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const SEED: &str = r#"{
      "api": {"url": "http://127.0.0.1:8000", "ws_url": "ws://127.0.0.1:8000", "username": "client_user",
              "password": "client_password", "channel_id": "c1"},
      "mt5": {"login": 87654321, "password": "mt5_password", "server": "Broker-Server"},
      "trade_copy": {"mode": "fix", "fixed_lot": 0.01, "multiplier": 1.0, "magic_number_copier": 123456,
                     "max_slippage_points": 50, "max_spread_points": 20, "max_exposure_trades": 5,
                     "max_exposure_lots": 10.0},
      "executor": {"kind": "paper", "base_url": "http://127.0.0.1:8790"},
      "market": {"symbols": {"XAUUSD": "PAXGUSDT"}, "points": {"EURUSD": 0.00001}}
    }"#;

    #[test]
    fn the_seed_file_with_an_executor_loads_and_resolves_paths() {
        let (dir, path) = write(SEED);
        let config = ClientConfig::load(&path).unwrap();
        assert_eq!(config.files.tickets, dir.path().join("tickets.json"));
        let ExecutorConfig::Paper(paper) = &config.executor else { panic!("paper") };
        assert_eq!(paper.account_file, dir.path().join("paper_account.json"));
        assert_eq!(config.market.exchange_symbol("XAUUSD"), "PAXGUSDT");
        assert_eq!(config.market.exchange_symbol("BTC/USDT"), "BTCUSDT");
        assert_eq!(config.market.point("EURUSD"), Decimal::new(1, 5));
        assert_eq!(config.market.point("BTCUSDT"), Decimal::new(1, 2));
        assert_eq!(config.trade_copy.max_exposure_trades, Some(5));
    }

    #[test]
    fn a_jsonl_bridge_without_prices_refuses_price_limits_it_cannot_check() {
        let jsonl = r#"{"kind": "jsonl", "orders_file": "orders.jsonl", "fills_file": "fills.jsonl"}"#;
        let without_prices = SEED.replace(r#"{"kind": "paper", "base_url": "http://127.0.0.1:8790"}"#, jsonl);
        let (_dir, path) = write(&without_prices);
        let error = ClientConfig::load(&path).err().expect("refused");
        assert!(error.contains("executor.quotes_url"), "{error}");

        let limits = r#""max_slippage_points": 50, "max_spread_points": 20, "#;
        let (_dir, path) = write(&without_prices.replace(limits, ""));
        assert!(ClientConfig::load(&path).is_ok(), "exposure limits alone need no prices");

        let with_prices = jsonl.replace("}", r#", "quotes_url": "http://127.0.0.1:8790"}"#);
        let (_dir, path) =
            write(&SEED.replace(r#"{"kind": "paper", "base_url": "http://127.0.0.1:8790"}"#, &with_prices));
        assert!(ClientConfig::load(&path).is_ok());
    }
}
