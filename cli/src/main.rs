//! `auronex`: the command line a trader runs on their own machine.

mod backtest;
mod candles_file;
mod copier;
mod download_data;
mod exchange_sim;
mod health;
mod indicators;
mod timerange;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "auronex", version, about = "Auronex trading bots and trade copier, on your machine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check that an Auronex server answers and its database is reachable.
    Health {
        /// Base URL of the server, e.g. http://127.0.0.1:8787
        #[arg(long, env = "AURONEX_URL", default_value = "http://127.0.0.1:8787")]
        url: String,
    },
    /// Indicator columns (RSI, MACD, Bollinger, EMA, SMA) for a candle CSV, as CSV.
    Indicators(indicators::IndicatorsArgs),
    /// Replay a strategy over a candle CSV with paper fills; print trades and metrics.
    Backtest(backtest::BacktestArgs),
    /// Download a market's complete candles for a range from its venue into a candle CSV
    /// (the format `backtest` and `indicators` read), with a progress bar on stderr.
    DownloadData(download_data::DownloadArgs),
    /// Serve Binance's public spot API and AwesomeAPI's USD-BRL quote locally, replaying real
    /// recorded prices (or scripted ones), for offline development and tests.
    ExchangeSim(exchange_sim::SimArgs),
    /// Trade copier programs: `follow` a channel into a local executor, or publish as `master`.
    Copier(copier::CopierArgs),
}

/// Help and version print as clap writes them; a usage mistake is one line naming it.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        error.exit();
    }
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ");
    eprintln!("auronex: {first} (see `auronex --help`)");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return usage_error(error),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    let result = match cli.command {
        Command::Health { url } => health::run(&url),
        Command::Indicators(args) => {
            indicators::run(args, matches.subcommand_matches("indicators").unwrap_or(&matches))
        }
        Command::Backtest(args) => backtest::run(args),
        Command::DownloadData(args) => download_data::run(args),
        Command::ExchangeSim(args) => exchange_sim::run(args),
        Command::Copier(args) => match copier::run(args) {
            Ok(()) => Ok(()),
            Err(copier::Failure::Runtime(message)) => Err(message),
            Err(copier::Failure::Config(message)) => {
                eprintln!("auronex: {message}");
                return ExitCode::from(2);
            }
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("auronex: {message}");
            ExitCode::FAILURE
        }
    }
}
