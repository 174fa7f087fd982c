//! Best bid and ask from a Binance-format public API:
//! `GET {base}/api/v3/ticker/bookTicker?symbol=BTCUSDT` answers
//! `{"symbol":"BTCUSDT","bidPrice":"4.00000000","bidQty":"431.00000000","askPrice":"4.00000200","askQty":"9.00000000"}`
//! (binance-spot-api-docs, rest-api.md "Symbol order book ticker"); errors are `{"code":-1121,"msg":"Invalid symbol."}`.

use std::str::FromStr;
use std::time::Duration;

use auronex_core::copier::safety::Quote;
use rust_decimal::Decimal;
use serde::Deserialize;

use super::ExecError;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BookTicker {
    bid_price: String,
    ask_price: String,
}

#[derive(Deserialize)]
struct BinanceError {
    msg: String,
}

pub struct BookTickerSource {
    base_url: String,
    agent: ureq::Agent,
}

impl BookTickerSource {
    pub fn new(base_url: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Self { base_url: base_url.trim_end_matches('/').to_string(), agent }
    }

    pub fn quote(&self, exchange_symbol: &str) -> Result<Quote, ExecError> {
        let url = format!("{}/api/v3/ticker/bookTicker?symbol={exchange_symbol}", self.base_url);
        let mut response = self.agent.get(&url).call().map_err(|e| ExecError::Unavailable(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|e| ExecError::Unavailable(format!("{url}: {e}")))?;
        if status == 400 {
            let reason = serde_json::from_str::<BinanceError>(&text).map(|e| e.msg).unwrap_or(text);
            return Err(ExecError::Rejected(format!("{exchange_symbol}: {reason}")));
        }
        if status != 200 {
            return Err(ExecError::Unavailable(format!("{url}: HTTP {status}")));
        }
        let ticker: BookTicker =
            serde_json::from_str(&text).map_err(|e| ExecError::Unavailable(format!("{url}: {e}: {text}")))?;
        let number = |text: &str| Decimal::from_str(text).map_err(|e| ExecError::Unavailable(format!("{url}: {e}")));
        let quote = Quote { bid: number(&ticker.bid_price)?, ask: number(&ticker.ask_price)? };
        if quote.bid <= Decimal::ZERO || quote.ask < quote.bid {
            return Err(ExecError::Unavailable(format!("{url}: no usable book ({text})")));
        }
        Ok(quote)
    }
}
