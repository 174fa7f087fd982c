//! The venues Auronex supports, with their stable ids, display names and quote currencies.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExchangeId {
    Binance,
    Bybit,
    Okx,
    Kraken,
    Coinbase,
    Gateio,
    Htx,
    Kucoin,
    Mercadobitcoin,
    Foxbit,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown exchange `{0}`")]
pub struct UnknownExchange(pub String);

impl ExchangeId {
    pub const ALL: [ExchangeId; 10] = [
        Self::Binance,
        Self::Bybit,
        Self::Okx,
        Self::Kraken,
        Self::Coinbase,
        Self::Gateio,
        Self::Htx,
        Self::Kucoin,
        Self::Mercadobitcoin,
        Self::Foxbit,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::Binance => "binance",
            Self::Bybit => "bybit",
            Self::Okx => "okx",
            Self::Kraken => "kraken",
            Self::Coinbase => "coinbase",
            Self::Gateio => "gateio",
            Self::Htx => "htx",
            Self::Kucoin => "kucoin",
            Self::Mercadobitcoin => "mercadobitcoin",
            Self::Foxbit => "foxbit",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Binance => "Binance",
            Self::Bybit => "Bybit",
            Self::Okx => "OKX",
            Self::Kraken => "Kraken",
            Self::Coinbase => "Coinbase",
            Self::Gateio => "Gate.io",
            Self::Htx => "HTX (Huobi)",
            Self::Kucoin => "KuCoin",
            Self::Mercadobitcoin => "Mercado Bitcoin",
            Self::Foxbit => "Foxbit",
        }
    }

    /// The environment variable that overrides this venue's public API base URL.
    pub fn base_url_var(self) -> &'static str {
        match self {
            Self::Binance => "BINANCE_API_URL",
            Self::Bybit => "BYBIT_API_URL",
            Self::Okx => "OKX_API_URL",
            Self::Kraken => "KRAKEN_API_URL",
            Self::Coinbase => "COINBASE_API_URL",
            Self::Gateio => "GATEIO_API_URL",
            Self::Htx => "HTX_API_URL",
            Self::Kucoin => "KUCOIN_API_URL",
            Self::Mercadobitcoin => "MERCADOBITCOIN_API_URL",
            Self::Foxbit => "FOXBIT_API_URL",
        }
    }

    /// The venue's real public API base URL (what `base_url_var` overrides).
    pub fn default_base_url(self) -> &'static str {
        match self {
            Self::Binance => "https://api.binance.com",
            Self::Bybit => "https://api.bybit.com",
            Self::Okx => "https://www.okx.com",
            Self::Kraken => "https://api.kraken.com",
            Self::Coinbase => "https://api.exchange.coinbase.com",
            Self::Gateio => "https://api.gateio.ws",
            Self::Htx => "https://api.huobi.pro",
            Self::Kucoin => "https://api.kucoin.com",
            Self::Mercadobitcoin => "https://api.mercadobitcoin.net",
            Self::Foxbit => "https://api.foxbit.com.br",
        }
    }
}

impl FromStr for ExchangeId {
    type Err = UnknownExchange;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|exchange| exchange.id() == text).ok_or_else(|| UnknownExchange(text.to_string()))
    }
}

impl fmt::Display for ExchangeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_json() {
        for exchange in ExchangeId::ALL {
            assert_eq!(exchange.id().parse::<ExchangeId>(), Ok(exchange));
            let json = serde_json::to_string(&exchange).unwrap();
            assert_eq!(json, format!("\"{}\"", exchange.id()));
        }
    }

    #[test]
    fn unknown_ids_are_refused() {
        assert!("Binance".parse::<ExchangeId>().is_err());
        assert!("brasilbitcoin".parse::<ExchangeId>().is_err());
    }
}
