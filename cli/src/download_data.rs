//! `auronex download-data`: a market's complete candles over a range, fetched page by page
//! with the venue's own ranged requests (the `auronex-exchanges` builders and parsers the
//! Worker uses) and written as the candle CSV the other commands read.

use std::str::FromStr;
use std::time::Duration;

use auronex_core::candles_csv::format_candles;
use auronex_exchanges::history::{self, Span};
use auronex_exchanges::{venue, Candle, ErrorKind, ExchangeId, Symbol, Timeframe, UpstreamRequest, Venue, VenueError};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::timerange::TimeRange;

#[derive(Args)]
pub struct DownloadArgs {
    /// binance, bybit, okx, coinbase, gateio, kucoin, mercadobitcoin or foxbit
    #[arg(long)]
    exchange: String,
    /// BASE/QUOTE, e.g. BTC/USDT
    #[arg(long)]
    symbol: String,
    /// 1m, 5m, 15m, 1h, 4h or 1d
    #[arg(long, default_value = "1h")]
    timeframe: String,
    /// First day (inclusive): YYYY-MM-DD or YYYYMMDD, 00:00 UTC
    #[arg(long)]
    from: String,
    /// Last day (exclusive): YYYY-MM-DD or YYYYMMDD; default now
    #[arg(long)]
    to: Option<String>,
    /// Candle CSV to write
    #[arg(long)]
    out: String,
    /// The venue's API base URL (default: its real one, or the environment variable the
    /// Worker reads, e.g. BINANCE_API_URL), e.g. an `auronex exchange-sim`
    #[arg(long)]
    base_url: Option<String>,
}

/// Attempts per page: transient failures and rate limits are retried after a pause.
const ATTEMPTS: u32 = 4;

pub fn run(args: DownloadArgs) -> Result<(), String> {
    let exchange = ExchangeId::from_str(&args.exchange).map_err(|e| format!("--exchange: {e}"))?;
    let symbol = Symbol::from_str(&args.symbol).map_err(|e| format!("--symbol: {e}"))?;
    let timeframe = Timeframe::from_str(&args.timeframe).map_err(|e| format!("--timeframe: {e}"))?;
    let dates = format!("{}-{}", compact(&args.from), args.to.as_deref().map(compact).unwrap_or_default());
    let range = TimeRange::parse(&dates).map_err(|e| e.replace("--timerange", "--from/--to"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    let span = Span {
        start_ms: range.start_ms.unwrap_or(0),
        end_ms: range.end_ms.unwrap_or(now).min(history::complete_end(timeframe, now)),
    };
    let venue = venue(exchange);
    history::pageable(venue).map_err(|e| e.to_string())?;
    let base_url = args
        .base_url
        .or_else(|| std::env::var(exchange.base_url_var()).ok())
        .unwrap_or_else(|| exchange.default_base_url().to_string());
    let client = Client::new(venue, base_url);
    let markets = client.get(&venue.markets_request(), |body| venue.parse_markets(body))?;
    let market = markets
        .iter()
        .find(|m| m.symbol == symbol)
        .ok_or_else(|| format!("{} does not list {symbol}", exchange.name()))?;
    let pages = history::page_requests(venue, &market.venue_symbol, timeframe, span).map_err(|e| e.to_string())?;
    let bar = progress(pages.len() as u64, &format!("{exchange} {symbol} {timeframe}"));
    let mut candles: Vec<Candle> = Vec::new();
    for page in &pages {
        candles.extend(client.get(page, |body| venue.parse_candles(page, body))?);
        bar.inc(1);
    }
    let candles = history::trim(candles, span);
    bar.finish_with_message(format!("{} candles", candles.len()));
    if candles.is_empty() {
        return Err(format!("{} has no {symbol} {timeframe} candles in that range", exchange.name()));
    }
    let core: Vec<_> = candles.iter().map(Candle::to_core).collect();
    std::fs::write(&args.out, format_candles(&core)).map_err(|e| format!("{}: {e}", args.out))?;
    eprintln!("wrote {} candles to {}", core.len(), args.out);
    Ok(())
}

/// `2024-01-01` -> `20240101` (the timerange parser's spelling).
fn compact(date: &str) -> String {
    date.trim().replace('-', "")
}

fn progress(pages: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(pages);
    if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} pages {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(label.to_string());
    bar
}

/// GETs venue requests, classifying failures the way the venue module says.
struct Client<'a> {
    venue: &'a dyn Venue,
    base_url: String,
    agent: ureq::Agent,
}

impl<'a> Client<'a> {
    fn new(venue: &'a dyn Venue, base_url: String) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .new_agent();
        Self { venue, base_url, agent }
    }

    fn get<T>(&self, request: &UpstreamRequest, parse: impl Fn(&str) -> Result<T, VenueError>) -> Result<T, String> {
        let url = request.url(&self.base_url);
        let mut last = String::new();
        for attempt in 0..ATTEMPTS {
            let error = match self.agent.get(&url).call() {
                Err(error) => VenueError::transient(error.to_string()),
                Ok(mut response) => {
                    let status = response.status().as_u16();
                    let body = response.body_mut().read_to_string().map_err(|e| format!("{url}: {e}"))?;
                    match (200..300).contains(&status) {
                        true => match parse(&body) {
                            Ok(value) => return Ok(value),
                            Err(error) => error,
                        },
                        false => self.venue.classify_error(status, &body),
                    }
                }
            };
            last = error.message.clone();
            let wait = match error.kind {
                ErrorKind::Transient => Duration::from_millis(500 << attempt),
                ErrorKind::RateLimited => Duration::from_secs(error.retry_after_secs.unwrap_or(5).min(60)),
                ErrorKind::UnknownSymbol | ErrorKind::Terminal => break,
            };
            if attempt + 1 < ATTEMPTS {
                std::thread::sleep(wait);
            }
        }
        Err(format!("{}: {last}", request.path_and_query.split('?').next().unwrap_or("")))
    }
}
