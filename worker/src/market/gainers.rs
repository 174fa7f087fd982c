//! The day's top gainers of an exchange, from its 24-hour tickers (one batched request for
//! every market), limited to one quote currency so changes are comparable.

use auronex_exchanges::{venue, ExchangeId, Symbol, Ticker24h};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::cache;
use super::error::MarketError;
use super::freshness;
use super::upstream::now_ms;
use super::MarketData;

/// How many gainers the endpoint lists.
pub const TOP: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gainer {
    pub symbol: Symbol,
    pub price: Decimal,
    pub change_pct: Decimal,
}

impl MarketData {
    /// `None` when the venue has no all-markets ticker request (it would cost one per market).
    pub async fn top_gainers(&self, exchange: ExchangeId, quote: &str) -> Result<Option<Vec<Gainer>>, MarketError> {
        let venue = venue(exchange);
        let requests = venue.ticker_24h_requests(&[]);
        if requests.is_empty() {
            return Ok(None);
        }
        let key = format!("{exchange}|gainers|{quote}");
        let now = now_ms();
        if let Some(hit) = cache::get::<Vec<Gainer>>(&self.db, &key).await.unwrap_or(None) {
            if freshness::TOP_GAINERS.is_fresh(hit.fetched_at_ms, now) {
                return Ok(Some(hit.value));
            }
        }
        let markets = self.markets(exchange).await?.value;
        let upstream = self.exchange_upstream(exchange)?;
        let mut tickers: Vec<Ticker24h> = Vec::new();
        for request in &requests {
            let batch = upstream
                .fetch(
                    request,
                    |body| venue.parse_tickers_24h(request, body),
                    |status, body| venue.classify_error(status, body),
                )
                .await?;
            tickers.extend(batch);
        }
        let mut gainers: Vec<Gainer> = tickers
            .iter()
            .filter_map(|ticker| {
                let market = markets.iter().find(|m| m.venue_symbol == ticker.venue_symbol)?;
                (market.symbol.quote() == quote).then_some(())?;
                Some(Gainer { symbol: market.symbol.clone(), price: ticker.last, change_pct: ticker.change_pct()? })
            })
            .collect();
        gainers.sort_by(|a, b| b.change_pct.cmp(&a.change_pct).then(a.symbol.cmp(&b.symbol)));
        gainers.truncate(TOP);
        cache::put(&self.db, &key, &gainers, now).await?;
        Ok(Some(gainers))
    }
}
