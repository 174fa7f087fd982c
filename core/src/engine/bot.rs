//! A bot's configuration and its compact, serialisable state between ticks: the wallet and,
//! per symbol, the streaming strategy state and the open position.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::exits::ExitRules;
use crate::fills::{FillModel, FillModelError};
use crate::ledger::{Position, Wallet};
use crate::money::{Amount, Price};
use crate::protections::{ProtectionState, Protections};
use crate::rules::{RulesError, TradingRules};
use crate::strategy::{ParamError, Params, StrategyConfig, StrategyState};
use crate::symbol::Symbol;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Params(#[from] ParamError),
    #[error(transparent)]
    Rules(#[from] RulesError),
    #[error(transparent)]
    Fills(#[from] FillModelError),
    #[error("capital must be above 0 and at most 10^12")]
    Capital,
    #[error("stake per trade must be above 0")]
    Stake,
    #[error("a bot trades 1 to 5 distinct symbols")]
    Symbols,
    #[error("strategy: {0}")]
    Strategy(String),
}

/// One symbol a bot trades and the venue's rules for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketConfig {
    pub symbol: Symbol,
    pub rules: TradingRules,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotConfig {
    pub strategy: StrategyConfig,
    pub exits: ExitRules,
    pub capital: Amount,
    /// Cash put into each entry; `None`: capital split evenly across the symbols.
    pub stake_per_trade: Option<Amount>,
    pub fills: FillModel,
    pub markets: Vec<MarketConfig>,
    /// Pauses of entries after losses (stored states from before protections have none).
    #[serde(default)]
    pub protections: Protections,
}

impl BotConfig {
    /// Builds a config from a strategy name and its `params` object (strategy and exit keys).
    pub fn from_params(
        strategy: &str,
        params: &Params,
        capital: Amount,
        fills: FillModel,
        markets: Vec<MarketConfig>,
    ) -> Result<Self, ConfigError> {
        let (strategy, exits, protections) = StrategyConfig::from_params(strategy, params)?;
        Ok(Self { strategy, exits, capital, stake_per_trade: None, fills, markets, protections })
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.capital <= Decimal::ZERO || self.capital > Decimal::from(1_000_000_000_000i64) {
            return Err(ConfigError::Capital);
        }
        if self.stake_per_trade.is_some_and(|stake| stake <= Decimal::ZERO) {
            return Err(ConfigError::Stake);
        }
        let count = self.markets.len();
        let distinct = (0..count).all(|i| (0..i).all(|j| self.markets[i].symbol != self.markets[j].symbol));
        if !(1..=5).contains(&count) || !distinct {
            return Err(ConfigError::Symbols);
        }
        self.markets.iter().try_for_each(|market| market.rules.validate())?;
        Ok(())
    }

    /// The cash one entry may use.
    pub fn stake(&self) -> Amount {
        self.stake_per_trade.unwrap_or_else(|| self.capital / Decimal::from(self.markets.len() as u64))
    }
}

/// Per-symbol state, in the same order as `BotConfig::markets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    pub strategy: StrategyState,
    /// Open time of the last candle fed to the strategy: a candle is never fed twice.
    pub last_candle_ms: Option<i64>,
    pub position: Option<Position>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotState {
    pub config: BotConfig,
    pub wallet: Wallet,
    pub lanes: Vec<Lane>,
    pub last_trade_id: u64,
    #[serde(default)]
    pub protections: ProtectionState,
}

impl BotState {
    pub fn new(config: BotConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let strategy = config.strategy.start().map_err(|error| ConfigError::Strategy(error.to_string()))?;
        let lanes = config
            .markets
            .iter()
            .map(|_| Lane { strategy: strategy.clone(), last_candle_ms: None, position: None })
            .collect();
        Ok(Self {
            wallet: Wallet::new(config.capital),
            config,
            lanes,
            last_trade_id: 0,
            protections: ProtectionState::default(),
        })
    }

    pub fn open_positions(&self) -> impl Iterator<Item = (&Symbol, &Position)> {
        let symbols = self.config.markets.iter().map(|market| &market.symbol);
        symbols.zip(&self.lanes).filter_map(|(symbol, lane)| Some((symbol, lane.position.as_ref()?)))
    }

    /// Free cash, derived from the wallet and the open positions.
    pub fn cash(&self) -> Amount {
        let open_cost = self.open_positions().map(|(_, p)| p.cost).sum();
        self.wallet.cash(open_cost)
    }

    /// Cash plus open positions valued at `bid_of(symbol)` (their entry price when unknown).
    pub fn equity(&self, bid_of: impl Fn(&Symbol) -> Option<Price>) -> Amount {
        let held: Amount =
            self.open_positions().map(|(symbol, p)| p.value(bid_of(symbol).unwrap_or(p.entry_price))).sum();
        self.cash() + held
    }
}
