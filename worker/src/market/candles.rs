//! Candles for one market and timeframe, or for many markets at once (the tick): fetched in a
//! few fixed batch sizes so different limits share one upstream request, cached for a fraction
//! of the interval.

use std::collections::{BTreeMap, HashMap};

use auronex_exchanges::{venue, Candle, ExchangeId, Market, Symbol, Timeframe, UpstreamRequest};
use futures_util::future::join_all;

use super::cache::{self, Cached};
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
        let venue = venue(request.exchange);
        let market = self.market(request.exchange, &request.symbol).await?;
        let (key, batch) = cache_key(request, &market);
        let window = freshness::candles(request.timeframe);
        let now = now_ms();
        let cached = cache::get::<Vec<Candle>>(&self.db, &key).await.unwrap_or(None);
        let candles = match cached.filter(|c| window.is_fresh(c.fetched_at_ms, now)) {
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

    /// Candles for many markets at once (the tick's path), in the order asked, refetching a
    /// cached series fetched before `not_before_ms` (a tick passes the start of the current
    /// candle, so the candle that just closed is in it): one cache read for all of them, one
    /// rate-limit admission per venue for every request the cache could not answer, the
    /// requests sent concurrently, and one cache write.
    pub async fn candles_many(
        &self,
        requests: &[CandleRequest],
        not_before_ms: i64,
    ) -> Vec<Result<Vec<Candle>, MarketError>> {
        let now = now_ms();
        let mut planned: Vec<Result<(String, u16, Market), MarketError>> = Vec::with_capacity(requests.len());
        for request in requests {
            planned.push(self.market(request.exchange, &request.symbol).await.map(|market| {
                let (key, batch) = cache_key(request, &market);
                (key, batch, market)
            }));
        }
        let keys: Vec<String> = planned.iter().flatten().map(|(key, _, _)| key.clone()).collect();
        let mut cached: HashMap<String, Cached<Vec<Candle>>> =
            cache::get_many(&self.db, &keys).await.unwrap_or_default();
        cached.retain(|_, hit| hit.fetched_at_ms >= not_before_ms);
        let mut results: Vec<Option<Result<Vec<Candle>, MarketError>>> = Vec::with_capacity(requests.len());
        let mut missing: BTreeMap<&'static str, Vec<(usize, UpstreamRequest)>> = BTreeMap::new();
        for (index, (request, plan)) in requests.iter().zip(&planned).enumerate() {
            match plan {
                Err(error) => results.push(Some(Err(error.clone()))),
                Ok((key, _, _))
                    if cached
                        .get(key)
                        .is_some_and(|hit| freshness::candles(request.timeframe).is_fresh(hit.fetched_at_ms, now)) =>
                {
                    results.push(cached.remove(key).map(|hit| Ok(hit.value)));
                }
                Ok((_, batch, market)) => {
                    let upstream =
                        venue(request.exchange).candles_request(&market.venue_symbol, request.timeframe, *batch, now);
                    missing.entry(request.exchange.id()).or_default().push((index, upstream));
                    results.push(None);
                }
            }
        }
        let mut fresh_entries: Vec<(String, Vec<Candle>)> = Vec::new();
        for (index, outcome) in self.fetch_candles(requests, missing).await {
            if let (Ok(candles), Ok((key, _, _))) = (&outcome, &planned[index]) {
                fresh_entries.push((key.clone(), candles.clone()));
            }
            results[index] = Some(outcome);
        }
        if let Err(error) = cache::put_many(&self.db, &fresh_entries, now).await {
            super::log_stale(&error);
        }
        requests
            .iter()
            .zip(results)
            .map(|(request, result)| {
                let candles = result.unwrap_or_else(|| Err(MarketError::Storage("no candles".into())))?;
                let skip = candles.len().saturating_sub(usize::from(request.limit));
                Ok(candles.into_iter().skip(skip).collect())
            })
            .collect()
    }

    /// Sends each venue's missing candle requests after one admission for their total weight.
    async fn fetch_candles(
        &self,
        requests: &[CandleRequest],
        missing: BTreeMap<&'static str, Vec<(usize, UpstreamRequest)>>,
    ) -> Vec<(usize, Result<Vec<Candle>, MarketError>)> {
        let mut outcomes = Vec::new();
        for wanted in missing.into_values() {
            let Some(exchange) = wanted.first().map(|(index, _)| requests[*index].exchange) else { continue };
            let upstream = match self.exchange_upstream(exchange) {
                Ok(upstream) => upstream,
                Err(error) => {
                    outcomes.extend(wanted.into_iter().map(|(index, _)| (index, Err(error.clone()))));
                    continue;
                }
            };
            let weight = wanted.iter().map(|(_, request)| request.weight).sum();
            if let Err(error) = upstream.admit_now(weight).await {
                outcomes.extend(wanted.into_iter().map(|(index, _)| (index, Err(error.clone()))));
                continue;
            }
            let venue = venue(exchange);
            let fetched = join_all(wanted.iter().map(|(_, request)| {
                upstream.fetch_admitted(
                    request,
                    |body| venue.parse_candles(request, body),
                    |status, body| venue.classify_error(status, body),
                )
            }))
            .await;
            outcomes.extend(wanted.iter().map(|(index, _)| *index).zip(fetched));
        }
        outcomes
    }
}

/// The cache key of a candle request and the batch size it is fetched in.
fn cache_key(request: &CandleRequest, market: &Market) -> (String, u16) {
    let batch = freshness::candle_batch(request.limit, venue(request.exchange).quirks().max_candles);
    (format!("{}|candles|{}|{}|{batch}", request.exchange, market.venue_symbol, request.timeframe), batch)
}
