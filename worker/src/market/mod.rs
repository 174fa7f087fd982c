//! The market-data layer shared by the scheduled tick and the market endpoints: every read
//! goes through the D1 cache, so a (venue, endpoint, market) is fetched upstream at most once
//! per freshness window however many bots or clients ask; requests are batched where the
//! venue allows, throttled to its rate limit, timed out and retried (see `upstream`).
//!
//! The tick's entry point is [`MarketData::quotes`]: give it every (exchange, symbol) the due
//! bots trade, in any order and with repeats, and it makes at most one upstream request per
//! distinct market (fewer where the venue batches), returning bid/ask per pair.

mod cache;
mod candles;
mod error;
pub mod freshness;
mod fx;
mod gainers;
mod history;
mod inflight;
mod quotes;
mod throttle;
mod upstream;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use auronex_exchanges::{venue, ExchangeId, Market, Symbol};
use worker::Env;

use crate::db::CountingDb;

pub use candles::CandleRequest;
pub use error::MarketError;
pub use fx::UsdBrl;
pub use gainers::Gainer;
pub use history::{HistoryError, HistoryRequest, MAX_PAGES};
pub use quotes::Quote;
use throttle::{Limit, Priority};
use upstream::{now_ms, Upstream};

/// A value with its age; `stale` when served past its freshness because the venue failed.
#[derive(Debug, Clone)]
pub struct Fresh<T> {
    pub value: T,
    pub fetched_at_ms: i64,
    pub stale: bool,
}

pub struct MarketData {
    env: Env,
    db: CountingDb,
    priority: Priority,
}

thread_local! {
    /// Market lists parsed in this isolate, so symbol checks skip D1 while fresh.
    static MARKETS_MEMO: RefCell<HashMap<ExchangeId, (i64, Rc<Vec<Market>>)>> = RefCell::default();
}

impl MarketData {
    /// Market data for an API caller: its venue requests may spend only the browsing share of
    /// each venue's budget.
    pub fn new(env: &Env) -> Result<Self, MarketError> {
        let db = CountingDb::new(env.d1("DB").map_err(MarketError::storage)?);
        Ok(Self { env: env.clone(), db, priority: Priority::Browsing })
    }

    /// Market data for the bots (ticks, closing positions): the whole budget.
    pub fn for_trading(env: &Env) -> Result<Self, MarketError> {
        Ok(Self { priority: Priority::Trading, ..Self::new(env)? })
    }

    /// D1 statements this instance has run (cache reads and writes, rate-limit bookkeeping).
    pub fn statements(&self) -> u64 {
        self.db.statements()
    }

    fn upstream(&self, venue_name: &'static str, url_var: &str, limit: Limit) -> Result<Upstream<'_>, MarketError> {
        let base_url = self.env.var(url_var).map(|v| v.to_string()).map_err(|_| MarketError::Unavailable {
            venue: venue_name.to_string(),
            detail: format!("{url_var} is not configured"),
        })?;
        Ok(Upstream { db: &self.db, venue: venue_name, base_url, limit, priority: self.priority })
    }

    fn exchange_upstream(&self, exchange: ExchangeId) -> Result<Upstream<'_>, MarketError> {
        let quirks = venue(exchange).quirks();
        let limit = Limit { weight: quirks.rate_limit_weight, window_secs: quirks.rate_limit_per_seconds };
        self.upstream(exchange.id(), exchange.base_url_var(), limit)
    }

    /// Every tradable spot market of the exchange, with trading rules. Served stale (marked)
    /// for up to a day when the venue is down: listings change rarely.
    pub async fn markets(&self, exchange: ExchangeId) -> Result<Fresh<Rc<Vec<Market>>>, MarketError> {
        let now = now_ms();
        let window = freshness::MARKETS;
        let memo = MARKETS_MEMO.with(|memo| memo.borrow().get(&exchange).cloned());
        if let Some((fetched_at_ms, value)) = memo.filter(|(at, _)| window.is_fresh(*at, now)) {
            return Ok(Fresh { value, fetched_at_ms, stale: false });
        }
        let key = format!("{exchange}|markets");
        let cached = cache::get::<Vec<Market>>(&self.db, &key).await.unwrap_or(None);
        if let Some(hit) = cached.as_ref().filter(|c| window.is_fresh(c.fetched_at_ms, now)) {
            return Ok(self.remember(exchange, hit.value.clone(), hit.fetched_at_ms));
        }
        let venue = venue(exchange);
        let fetched = self
            .exchange_upstream(exchange)?
            .fetch(
                &venue.markets_request(),
                |body| venue.parse_markets(body),
                |status, body| venue.classify_error(status, body),
            )
            .await;
        match (fetched, cached) {
            (Ok(markets), _) => {
                cache::put(&self.db, &key, &markets, now).await?;
                Ok(self.remember(exchange, markets, now))
            }
            (Err(error), Some(old)) if window.may_serve_stale(old.fetched_at_ms, now) => {
                log_stale(&error);
                Ok(Fresh { value: Rc::new(old.value), fetched_at_ms: old.fetched_at_ms, stale: true })
            }
            (Err(error), _) => Err(error),
        }
    }

    fn remember(&self, exchange: ExchangeId, markets: Vec<Market>, fetched_at_ms: i64) -> Fresh<Rc<Vec<Market>>> {
        let value = Rc::new(markets);
        MARKETS_MEMO.with(|memo| {
            memo.borrow_mut().insert(exchange, (fetched_at_ms, Rc::clone(&value)));
        });
        Fresh { value, fetched_at_ms, stale: false }
    }

    /// The exchange's market for a unified symbol, or `UnknownSymbol`.
    pub async fn market(&self, exchange: ExchangeId, symbol: &Symbol) -> Result<Market, MarketError> {
        let markets = self.markets(exchange).await?;
        find(&markets.value, symbol).cloned().ok_or_else(|| unknown(exchange, symbol))
    }
}

pub(crate) fn find<'a>(markets: &'a [Market], symbol: &Symbol) -> Option<&'a Market> {
    markets.iter().find(|market| &market.symbol == symbol)
}

pub(crate) fn unknown(exchange: ExchangeId, symbol: &Symbol) -> MarketError {
    MarketError::UnknownSymbol { venue: exchange.id().to_string(), symbol: symbol.to_string() }
}

pub(crate) fn log_stale(error: &MarketError) {
    worker::console_log!("{}", serde_json::json!({"level": "warn", "event": "market_stale", "detail": error.detail()}));
}
