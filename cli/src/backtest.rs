//! `auronex backtest`: a strategy replayed over a candle CSV by the live engine, printed as a
//! table of trades and metrics or as JSON.

use std::fmt::Write as _;
use std::io::Write as _;
use std::str::FromStr;

use auronex_core::backtest::{backtest, BacktestReport};
use auronex_core::engine::{BotConfig, MarketConfig};
use auronex_core::fills::FillModel;
use auronex_core::rules::TradingRules;
use auronex_core::strategy::Params;
use auronex_core::symbol::Symbol;
use clap::Args;
use rust_decimal::Decimal;

use crate::candles_file;
use crate::timerange::TimeRange;

#[derive(Args)]
pub struct BacktestArgs {
    /// Candle CSV: open_time_ms,open,high,low,close,volume
    #[arg(long)]
    input: String,
    /// scalping, rsi, macd or bollinger
    #[arg(long)]
    strategy: String,
    /// Strategy or exit parameter, e.g. --param period=10 --param take_profit_pct=2
    #[arg(long = "param", value_name = "KEY=VALUE")]
    params: Vec<String>,
    /// Starting capital in quote currency
    #[arg(long, default_value = "1000")]
    capital: String,
    /// Taker fee in percent
    #[arg(long, default_value = "0.1")]
    fee_pct: String,
    /// Bid/ask spread in percent, around each close
    #[arg(long, default_value = "0.05")]
    spread_pct: String,
    /// Slippage in percent, on top of the spread
    #[arg(long, default_value = "0")]
    slippage_pct: String,
    /// Quantity increment orders are rounded down to
    #[arg(long, default_value = "0.00000001")]
    lot_step: String,
    /// Smallest order value accepted
    #[arg(long, default_value = "1")]
    min_notional: String,
    /// Symbol the candles are for (labels the trades)
    #[arg(long, default_value = "BTC/USD")]
    symbol: String,
    /// Only the candles in this range (freqtrade's format): 20240101-20240301, 20240101-,
    /// -20240301 or Unix seconds; start inclusive, end exclusive
    #[arg(long)]
    timerange: Option<String>,
    /// Print {"trades": [...], "metrics": {...}} instead of a table
    #[arg(long)]
    json: bool,
}

fn decimal(option: &str, text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim()).map_err(|_| format!("--{option}: `{text}` is not a number"))
}

fn config(args: &BacktestArgs) -> Result<BotConfig, String> {
    let params = Params::from_pairs(args.params.iter().map(String::as_str)).map_err(|e| e.to_string())?;
    let fills = FillModel::from_percents(
        decimal("spread-pct", &args.spread_pct)?,
        decimal("slippage-pct", &args.slippage_pct)?,
    )
    .map_err(|e| e.to_string())?;
    let fee = decimal("fee-pct", &args.fee_pct)? / Decimal::ONE_HUNDRED;
    let rules = TradingRules {
        maker_fee_rate: fee,
        taker_fee_rate: fee,
        lot_step: decimal("lot-step", &args.lot_step)?,
        min_notional: decimal("min-notional", &args.min_notional)?,
    };
    let symbol = Symbol::from_str(&args.symbol).map_err(|e| format!("--symbol: {e}"))?;
    let capital = decimal("capital", &args.capital)?;
    let markets = vec![MarketConfig { symbol, rules }];
    BotConfig::from_params(&args.strategy, &params, capital, fills, markets).map_err(|e| e.to_string())
}

pub fn run(args: BacktestArgs) -> Result<(), String> {
    let config = config(&args)?;
    let mut candles = candles_file::read(&args.input)?;
    if let Some(text) = &args.timerange {
        let range = TimeRange::parse(text)?;
        candles.retain(|candle| range.contains(candle.open_time_ms));
        if candles.is_empty() {
            return Err(format!("{}: no candles inside --timerange {text}", args.input));
        }
    }
    let report = backtest(config, &candles).map_err(|e| e.to_string())?;
    let text = if args.json {
        let json = serde_json::json!({ "trades": report.trades, "metrics": report.metrics });
        format!("{json}\n")
    } else {
        table(&report)
    };
    std::io::stdout().lock().write_all(text.as_bytes()).map_err(|e| format!("writing output: {e}"))
}

fn money(value: Decimal) -> String {
    value.round_dp(2).to_string()
}

fn table(report: &BacktestReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>4}  {:<13}  {:>14}  {:>14}  {:>14}  {:>12}  {:>10}  {:>8}  {}",
        "#", "exit time ms", "entry", "exit", "quantity", "profit", "fees", "pct", "reason"
    );
    for trade in &report.trades {
        let _ = writeln!(
            out,
            "{:>4}  {:<13}  {:>14}  {:>14}  {:>14}  {:>12}  {:>10}  {:>8}  {}",
            trade.trade_id,
            trade.exit_time_ms,
            trade.entry_price.round_dp(4),
            trade.exit_price.round_dp(4),
            trade.quantity.normalize(),
            money(trade.profit_loss),
            money(trade.fees),
            trade.profit_pct.round_dp(2),
            trade.exit_reason.as_str()
        );
    }
    let m = &report.metrics;
    let optional = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    out.push('\n');
    let _ = writeln!(
        out,
        "trades {}  wins {}  losses {}  win rate {}%",
        m.trades,
        m.wins,
        m.losses,
        m.win_rate_pct.round_dp(2)
    );
    let _ = writeln!(
        out,
        "net profit {}  gross profit {}  gross loss {}  fees {}",
        money(m.net_profit),
        money(m.gross_profit),
        money(m.gross_loss),
        money(m.fees_paid)
    );
    let factor = m.profit_factor.map_or("n/a".to_string(), |f| f.round_dp(3).to_string());
    let _ = writeln!(out, "profit factor {factor}  expectancy {} per trade", money(m.expectancy));
    let _ = writeln!(
        out,
        "max drawdown {} ({}%)  sharpe {}  sortino {}",
        money(m.max_drawdown),
        m.max_drawdown_pct.round_dp(2),
        optional(m.sharpe),
        optional(m.sortino)
    );
    let _ = writeln!(
        out,
        "exposure {}%  capital {} -> {} ({}%)",
        m.exposure_pct.round_dp(2),
        money(m.start_capital),
        money(m.final_equity),
        m.return_pct.round_dp(2)
    );
    if report.refused_entries > 0 {
        let _ = writeln!(out, "refused entries {}", report.refused_entries);
    }
    out
}
