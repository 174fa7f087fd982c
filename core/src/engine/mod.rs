//! The one engine: `tick(state, market, now) -> (state, events)`, called by the Worker's cron
//! tick, Durable Object alarms and the backtester alike.

mod bot;
mod events;
mod tick;

pub use bot::{BotConfig, BotState, ConfigError, Lane, MarketConfig};
pub use events::Event;
pub(crate) use tick::{exit_inside_candle, step_lane};
pub use tick::{force_exit, step, tick, warm_up};
