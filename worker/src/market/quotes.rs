//! Best bid/ask for many (exchange, symbol) pairs at once: deduplicated, read from the cache,
//! and the rest fetched with as few upstream requests as each venue's batching allows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use auronex_exchanges::{venue, BookTicker, ExchangeId, Market, Symbol};
use futures_util::future::join_all;
use rust_decimal::Decimal;

use super::cache::{self, Cached};
use super::error::MarketError;
use super::upstream::now_ms;
use super::{find, freshness, unknown, MarketData};

/// What a paper fill needs: buys fill at the ask, sells at the bid, paying the taker fee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub exchange: ExchangeId,
    pub symbol: Symbol,
    pub bid: Decimal,
    pub ask: Decimal,
    pub taker_fee: Decimal,
    pub fetched_at_ms: i64,
}

pub type QuoteResults = HashMap<(ExchangeId, Symbol), Result<Quote, MarketError>>;

impl MarketData {
    /// Quotes for every distinct pair; each pair's own error when it has no quote.
    pub async fn quotes(&self, pairs: &[(ExchangeId, Symbol)]) -> QuoteResults {
        self.quotes_within(pairs, freshness::BOOK_TICKER.fresh_ms).await
    }

    /// Like [`Self::quotes`], taking cached quotes only when younger than `max_age_ms` (at most
    /// the book ticker's freshness window).
    pub async fn quotes_within(&self, pairs: &[(ExchangeId, Symbol)], max_age_ms: i64) -> QuoteResults {
        let max_age_ms = max_age_ms.min(freshness::BOOK_TICKER.fresh_ms);
        let mut by_exchange: BTreeMap<&'static str, (ExchangeId, BTreeSet<Symbol>)> = BTreeMap::new();
        for (exchange, symbol) in pairs {
            by_exchange.entry(exchange.id()).or_insert_with(|| (*exchange, BTreeSet::new())).1.insert(symbol.clone());
        }
        let work =
            by_exchange.into_values().map(|(exchange, symbols)| self.venue_quotes(exchange, symbols, max_age_ms));
        join_all(work).await.into_iter().flatten().collect()
    }

    async fn venue_quotes(
        &self,
        exchange: ExchangeId,
        symbols: BTreeSet<Symbol>,
        max_age_ms: i64,
    ) -> Vec<((ExchangeId, Symbol), Result<Quote, MarketError>)> {
        let markets = match self.markets(exchange).await {
            Ok(markets) => markets.value,
            Err(error) => return symbols.into_iter().map(|s| ((exchange, s), Err(error.clone()))).collect(),
        };
        let mut results = Vec::new();
        let mut wanted: Vec<&Market> = Vec::new();
        for symbol in symbols {
            match find(&markets, &symbol) {
                Some(market) => wanted.push(market),
                None => results.push(((exchange, symbol.clone()), Err(unknown(exchange, &symbol)))),
            }
        }
        let key = |market: &Market| format!("{exchange}|book|{}", market.venue_symbol);
        let keys: Vec<String> = wanted.iter().map(|m| key(m)).collect();
        let now = now_ms();
        let cached: HashMap<String, Cached<BookTicker>> = cache::get_many(&self.db, &keys).await.unwrap_or_default();
        let (fresh, missing): (Vec<&Market>, Vec<&Market>) =
            wanted.into_iter().partition(|m| cached.get(&key(m)).is_some_and(|c| now - c.fetched_at_ms < max_age_ms));
        for market in fresh {
            if let Some(hit) = cached.get(&key(market)) {
                results.push(quote(exchange, market, &hit.value, hit.fetched_at_ms));
            }
        }
        if missing.is_empty() {
            return results;
        }
        let (fetched, error) = self.fetch_book_tickers(exchange, &missing).await;
        let entries: Vec<(String, &BookTicker)> =
            missing.iter().filter_map(|m| fetched.get(m.venue_symbol.as_str()).map(|t| (key(m), t))).collect();
        if let Err(error) = cache::put_many(&self.db, &entries, now).await {
            super::log_stale(&error);
        }
        for market in missing {
            match fetched.get(market.venue_symbol.as_str()) {
                Some(ticker) => results.push(quote(exchange, market, ticker, now)),
                None => {
                    let error = error.clone().unwrap_or_else(|| MarketError::BadUpstream {
                        venue: exchange.id().to_string(),
                        detail: format!("no book ticker for {}", market.venue_symbol),
                    });
                    results.push(((exchange, market.symbol.clone()), Err(error)));
                }
            }
        }
        results
    }

    /// Fetches the book tickers of `missing`, batched; returns those received and the last error.
    async fn fetch_book_tickers(
        &self,
        exchange: ExchangeId,
        missing: &[&Market],
    ) -> (HashMap<String, BookTicker>, Option<MarketError>) {
        let venue = venue(exchange);
        let upstream = match self.exchange_upstream(exchange) {
            Ok(upstream) => upstream,
            Err(error) => return (HashMap::new(), Some(error)),
        };
        let names: Vec<&str> = missing.iter().map(|m| m.venue_symbol.as_str()).collect();
        let requests = venue.book_ticker_requests(&names);
        let answers = join_all(requests.iter().map(|request| {
            upstream.fetch(
                request,
                |body| venue.parse_book_tickers(request, body),
                |status, body| venue.classify_error(status, body),
            )
        }))
        .await;
        let mut fetched = HashMap::new();
        let mut last_error = None;
        for answer in answers {
            match answer {
                Ok(tickers) => fetched.extend(tickers.into_iter().map(|t| (t.venue_symbol.clone(), t))),
                Err(error) => last_error = Some(error),
            }
        }
        (fetched, last_error)
    }
}

fn quote(
    exchange: ExchangeId,
    market: &Market,
    ticker: &BookTicker,
    fetched_at_ms: i64,
) -> ((ExchangeId, Symbol), Result<Quote, MarketError>) {
    let quote = Quote {
        exchange,
        symbol: market.symbol.clone(),
        bid: ticker.bid,
        ask: ticker.ask,
        taker_fee: venue(exchange).quirks().taker_fee(),
        fetched_at_ms,
    };
    ((exchange, market.symbol.clone()), Ok(quote))
}
