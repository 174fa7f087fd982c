//! Candle history over a range (`GET /api/market/history`, `POST /api/backtests`): complete
//! candles are cached in D1 (`candle_history`) for good, by chunk; only chunks the cache does
//! not cover far enough are fetched, page by page with the venue's ranged requests, and each
//! is stored whole once all its pages answered, so a failed request stores nothing partial.

use auronex_exchanges::history::{self, Span};
use auronex_exchanges::{venue, Candle, ExchangeId, Market, Symbol, Timeframe};
use futures_util::future::join_all;
use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::Response;

use super::cache;
use super::error::MarketError;
use super::upstream::now_ms;
use super::MarketData;
use crate::app::error_response;
use crate::http::ApiError;

/// Most upstream pages one request may spend on the part the cache does not hold: within
/// the Workers subrequest limit with room for retries, and 50,000 Binance or Bybit candles.
pub const MAX_PAGES: i64 = 60;

#[derive(Debug, Clone)]
pub struct HistoryRequest {
    pub exchange: ExchangeId,
    pub symbol: Symbol,
    pub timeframe: Timeframe,
    /// Inclusive, milliseconds since the epoch.
    pub from_ms: i64,
    /// Exclusive; clamped to the end of the complete candles.
    pub to_ms: i64,
}

/// A request refused before any upstream call (422), or a market-data failure.
#[derive(Debug)]
pub enum HistoryError {
    Refused(ApiError),
    Market(MarketError),
}

impl HistoryError {
    pub fn to_response(&self) -> Response {
        match self {
            Self::Refused(error) => error_response(error),
            Self::Market(error) => error.to_response(),
        }
    }
}

impl From<MarketError> for HistoryError {
    fn from(error: MarketError) -> Self {
        Self::Market(error)
    }
}

#[derive(Deserialize)]
struct Row {
    chunk_start_ms: f64,
    covered_until_ms: f64,
    body: String,
}

/// One cached (or freshly fetched) chunk.
struct Chunk {
    start_ms: i64,
    covered_until_ms: i64,
    candles: Vec<Candle>,
}

impl MarketData {
    /// The complete candles opening in `[from_ms, to_ms)`, oldest first; at most
    /// `max_candles` of them, or a 422 before anything is fetched.
    pub async fn history(&self, request: &HistoryRequest, max_candles: i64) -> Result<Vec<Candle>, HistoryError> {
        let venue = venue(request.exchange);
        let timeframe = request.timeframe;
        let complete_end = history::complete_end(timeframe, now_ms());
        let span = Span { start_ms: request.from_ms, end_ms: request.to_ms.min(complete_end) };
        if let Err(unpageable) = history::pageable(venue) {
            return Err(HistoryError::Refused(
                ApiError::validation("exchange", unpageable.to_string()).with_code("history_unavailable"),
            ));
        }
        let candles = span.candles(timeframe);
        if candles > max_candles {
            return Err(HistoryError::Refused(
                ApiError::validation(
                    "to",
                    format!("the range holds {candles} {timeframe} candles; at most {max_candles} per request"),
                )
                .with_code("range_too_long"),
            ));
        }
        let market = self.market(request.exchange, &request.symbol).await?;
        if span.is_empty() {
            return Ok(Vec::new());
        }
        let mut chunks = self.cached_chunks(request, &market, span).await?;
        let covered: Vec<(i64, i64)> = chunks.iter().map(|c| (c.start_ms, c.covered_until_ms)).collect();
        let missing = history::missing_chunks(timeframe, span, complete_end, &covered);
        let pages: i64 = missing.iter().map(|chunk| history::page_count(venue, timeframe, *chunk)).sum();
        if pages > MAX_PAGES {
            return Err(HistoryError::Refused(
                ApiError::validation(
                    "to",
                    format!(
                        "the uncached part of this range needs {pages} requests to {}; at most {MAX_PAGES} per \
                         request: ask for a shorter range first (cached candles cost nothing)",
                        request.exchange.name()
                    ),
                )
                .with_code("range_too_long"),
            ));
        }
        let fetched = join_all(missing.iter().map(|chunk| self.fetch_chunk(request, &market, *chunk))).await;
        let (mut fresh, mut failure) = (Vec::new(), None);
        for outcome in fetched {
            match outcome {
                Ok(chunk) => fresh.push(chunk),
                Err(error) => failure = failure.or(Some(error)),
            }
        }
        // Whatever arrived whole is kept, even when another chunk failed: the retry is cheaper.
        self.store_chunks(request, &market, &fresh).await?;
        if let Some(error) = failure {
            return Err(error.into());
        }
        chunks.retain(|cached| !fresh.iter().any(|f| f.start_ms == cached.start_ms));
        chunks.extend(fresh);
        Ok(history::trim(chunks.into_iter().flat_map(|chunk| chunk.candles), span))
    }

    async fn cached_chunks(
        &self,
        request: &HistoryRequest,
        market: &Market,
        span: Span,
    ) -> Result<Vec<Chunk>, MarketError> {
        let starts = history::chunk_starts(request.timeframe, span);
        let (Some(first), Some(last)) = (starts.first(), starts.last()) else { return Ok(Vec::new()) };
        let binds = [
            JsValue::from_str(request.exchange.id()),
            JsValue::from_str(&market.venue_symbol),
            JsValue::from_str(request.timeframe.as_str()),
            JsValue::from_f64(*first as f64),
            JsValue::from_f64(*last as f64),
        ];
        let rows: Vec<Row> = cache::select(
            &self.db,
            "SELECT chunk_start_ms, covered_until_ms, body FROM candle_history WHERE exchange = ?1 \
             AND venue_symbol = ?2 AND timeframe = ?3 AND chunk_start_ms BETWEEN ?4 AND ?5",
            &binds,
        )
        .await?;
        // An unreadable row is treated as missing and refetched.
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let candles = serde_json::from_str(&row.body).ok()?;
                Some(Chunk {
                    start_ms: row.chunk_start_ms as i64,
                    covered_until_ms: row.covered_until_ms as i64,
                    candles,
                })
            })
            .collect())
    }

    /// Every page of one chunk, in order; the chunk only if all of them answered.
    async fn fetch_chunk(&self, request: &HistoryRequest, market: &Market, span: Span) -> Result<Chunk, MarketError> {
        let venue = venue(request.exchange);
        let pages = history::page_requests(venue, &market.venue_symbol, request.timeframe, span)
            .map_err(|e| MarketError::BadUpstream { venue: request.exchange.id().into(), detail: e.to_string() })?;
        let upstream = self.exchange_upstream(request.exchange)?;
        let mut candles = Vec::new();
        for page in &pages {
            let answer = upstream
                .fetch(page, |body| venue.parse_candles(page, body), |status, body| venue.classify_error(status, body))
                .await?;
            candles.extend(answer);
        }
        Ok(Chunk { start_ms: span.start_ms, covered_until_ms: span.end_ms, candles: history::trim(candles, span) })
    }

    /// Stores fetched chunks in one batch; a row is only ever replaced by one covering more.
    async fn store_chunks(
        &self,
        request: &HistoryRequest,
        market: &Market,
        chunks: &[Chunk],
    ) -> Result<(), MarketError> {
        if chunks.is_empty() {
            return Ok(());
        }
        let now = now_ms() as f64;
        let mut statements = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            let body = serde_json::to_string(&chunk.candles).map_err(MarketError::storage)?;
            let statement = self
                .db
                .prepare(
                    "INSERT INTO candle_history (exchange, venue_symbol, timeframe, chunk_start_ms, \
                     covered_until_ms, body, fetched_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) \
                     ON CONFLICT (exchange, venue_symbol, timeframe, chunk_start_ms) DO UPDATE SET \
                     covered_until_ms = excluded.covered_until_ms, body = excluded.body, \
                     fetched_at_ms = excluded.fetched_at_ms \
                     WHERE excluded.covered_until_ms > candle_history.covered_until_ms",
                )
                .bind(&[
                    JsValue::from_str(request.exchange.id()),
                    JsValue::from_str(&market.venue_symbol),
                    JsValue::from_str(request.timeframe.as_str()),
                    JsValue::from_f64(chunk.start_ms as f64),
                    JsValue::from_f64(chunk.covered_until_ms as f64),
                    JsValue::from_str(&body),
                    JsValue::from_f64(now),
                ])
                .map_err(MarketError::storage)?;
            statements.push(statement);
        }
        self.db.batch(statements).await.map_err(MarketError::storage)?;
        Ok(())
    }
}
