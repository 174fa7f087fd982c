//! Entry and exit signals from closed candles. A strategy is one file implementing
//! [`Strategy`]; the `strategies!` list below registers it under its name.

mod bollinger;
mod cross;
mod macd;
mod params;
mod rsi;
mod scalping;

use serde::{Deserialize, Serialize};

pub use self::bollinger::{BollingerBands, BollingerParams};
pub use self::cross::Cross;
pub use self::macd::{MacdCross, MacdParams};
pub use self::params::{ParamError, ParamReader, Params};
pub use self::rsi::{RsiEntry, RsiParams, RsiReversal};
pub use self::scalping::{EmaScalping, ScalpingParams};
use crate::exits::ExitRules;
use crate::indicators::IndicatorError;
use crate::protections::Protections;

/// What a strategy says after a candle closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    Hold,
    Enter,
    Exit,
}

/// A long-only signal generator fed one closing price per candle, with O(1) state.
pub trait Strategy: Sized {
    /// The name bots and the CLI use, e.g. `rsi`.
    const NAME: &'static str;
    type Params;

    /// Reads this strategy's own keys (with their defaults) from `params`.
    fn read_params(params: &mut ParamReader) -> Result<Self::Params, ParamError>;

    /// Take-profit, stop-loss and trailing settings used when the bot does not set them.
    fn default_exits() -> ExitRules;

    fn new(params: &Self::Params) -> Result<Self, IndicatorError>;

    /// Closed candles fed before the first signal can appear.
    fn warmup_candles(&self) -> usize;

    fn on_close(&mut self, close: f64) -> Signal;
}

macro_rules! strategies {
    ($($variant:ident($strategy:ty)),* $(,)?) => {
        /// A strategy by name with its resolved parameters: what a bot's config stores.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "name", content = "params", rename_all = "snake_case")]
        pub enum StrategyConfig {
            $($variant(<$strategy as Strategy>::Params),)*
        }

        /// A running strategy: parameters and streaming indicator state, serialisable.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum StrategyState {
            $($variant($strategy),)*
        }

        /// Every registered strategy name.
        pub const STRATEGY_NAMES: &[&str] = &[$(<$strategy as Strategy>::NAME,)*];

        impl StrategyConfig {
            /// Resolves `name` and `params` (strategy keys and exit keys together) into a
            /// config and exit rules; any unknown key or bad value is an error naming it.
            /// The strategy, its exits and the bot's protections from one `params` object.
            pub fn from_params(name: &str, params: &Params) -> Result<(Self, ExitRules, Protections), ParamError> {
                $(if name == <$strategy as Strategy>::NAME {
                    let mut reader = ParamReader::new(params, <$strategy as Strategy>::NAME);
                    let own = <$strategy as Strategy>::read_params(&mut reader)?;
                    let exits = ExitRules::read(&mut reader, <$strategy as Strategy>::default_exits())?;
                    let protections = Protections::read(&mut reader)?;
                    reader.finish()?;
                    <$strategy as Strategy>::new(&own).map_err(|error| ParamError::Invalid(error.to_string()))?;
                    return Ok((Self::$variant(own), exits, protections));
                })*
                Err(ParamError::UnknownStrategy(name.to_string()))
            }

            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => <$strategy as Strategy>::NAME,)*
                }
            }

            pub fn start(&self) -> Result<StrategyState, IndicatorError> {
                Ok(match self {
                    $(Self::$variant(params) => StrategyState::$variant(<$strategy>::new(params)?),)*
                })
            }
        }

        impl StrategyState {
            #[inline]
            pub fn on_close(&mut self, close: f64) -> Signal {
                match self {
                    $(Self::$variant(strategy) => strategy.on_close(close),)*
                }
            }

            pub fn warmup_candles(&self) -> usize {
                match self {
                    $(Self::$variant(strategy) => strategy.warmup_candles(),)*
                }
            }
        }
    };
}

strategies! {
    Scalping(EmaScalping),
    Rsi(RsiReversal),
    Macd(MacdCross),
    Bollinger(BollingerBands),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy_resolves_by_name_with_defaults_and_round_trips() {
        for name in STRATEGY_NAMES {
            let (config, _, _) = StrategyConfig::from_params(name, &Params::default()).unwrap();
            assert_eq!(&config.name(), name);
            let json = serde_json::to_string(&config).unwrap();
            assert!(json.contains(&format!("\"name\":\"{name}\"")), "{json}");
            assert_eq!(serde_json::from_str::<StrategyConfig>(&json).unwrap(), config);
            let state = config.start().unwrap();
            assert!(state.warmup_candles() > 1);
        }
    }

    #[test]
    fn names_unknown_strategies_and_params() {
        let error = StrategyConfig::from_params("martingale", &Params::default()).unwrap_err();
        assert!(error.to_string().starts_with("unknown strategy `martingale`"));
        let params = Params::from_pairs(["oversold=20", "take_profit_pct=2"]).unwrap();
        let (_, exits, _) = StrategyConfig::from_params("rsi", &params).unwrap();
        assert_eq!(exits.take_profit_pct, Some(rust_decimal::Decimal::TWO));
        let error = StrategyConfig::from_params("macd", &params).unwrap_err();
        assert_eq!(error.to_string(), "unknown parameter `oversold` for strategy macd");
    }
}
