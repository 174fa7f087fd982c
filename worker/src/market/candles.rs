//! Candles for one market and timeframe: fetched in a few fixed batch sizes so different
//! limits share one upstream request, cached for a fraction of the interval.

use auronex_exchanges::{venue, Candle, ExchangeId, Symbol, Timeframe};

use super::cache;
use super::error::MarketError;
use super::freshness;
use super::upstream::now_ms;
use super::MarketData;

#[derive(Debug, Clone)]
pub struct CandleRequest {
    pub exchange: ExchangeId,
    pub symbol: Symbol,
    pub timeframe: Timeframe,
    /// 1 to the venue's `max_candles`.
    pub limit: u16,
}

impl MarketData {
    /// The latest `limit` candles, oldest first (the last one may still be forming).
    pub async fn candles(&self, request: &CandleRequest) -> Result<Vec<Candle>, MarketError> {
        self.candles_since(request, i64::MIN).await
    }

    /// Like [`Self::candles`], refetching a cached series fetched before `not_before_ms` (a
    /// tick passes the start of the current candle, so the candle that just closed is in it).
    pub async fn candles_since(&self, request: &CandleRequest, not_before_ms: i64) -> Result<Vec<Candle>, MarketError> {
        let venue = venue(request.exchange);
        let market = self.market(request.exchange, &request.symbol).await?;
        let batch = freshness::candle_batch(request.limit, venue.quirks().max_candles);
        let key = format!("{}|candles|{}|{}|{batch}", request.exchange, market.venue_symbol, request.timeframe);
        let window = freshness::candles(request.timeframe);
        let now = now_ms();
        let cached = cache::get::<Vec<Candle>>(&self.db, &key).await.unwrap_or(None);
        let candles = match cached.filter(|c| window.is_fresh(c.fetched_at_ms, now) && c.fetched_at_ms >= not_before_ms)
        {
            Some(hit) => hit.value,
            None => {
                let upstream_request = venue.candles_request(&market.venue_symbol, request.timeframe, batch, now);
                let candles = self
                    .exchange_upstream(request.exchange)?
                    .fetch(
                        &upstream_request,
                        |body| venue.parse_candles(&upstream_request, body),
                        |status, body| venue.classify_error(status, body),
                    )
                    .await?;
                cache::put(&self.db, &key, &candles, now).await?;
                candles
            }
        };
        let skip = candles.len().saturating_sub(usize::from(request.limit));
        Ok(candles.into_iter().skip(skip).collect())
    }
}
