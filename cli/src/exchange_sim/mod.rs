//! `auronex exchange-sim`: a local stand-in for Binance's public spot API and AwesomeAPI's
//! USD-BRL quote, replaying real recorded candles (or scripted prices) on a running clock, so
//! the product runs and is tested with no internet.

mod awesome;
mod binance;
mod market;
mod query;
mod series;
mod server;
mod state;

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use market::{Clock, Track};
use state::{Script, Sim};

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port to listen on (0 picks a free one; the chosen URL is printed).
    #[arg(long, default_value_t = 8790)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Folder of candle files named like btc_usdt_1h.csv (default: the built-in recordings).
    #[arg(long)]
    data: Option<PathBuf>,
    /// How many times faster than real time the simulated clock runs.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// JSON file with a scripted price path ({"symbol","points":[[seconds, price], ...]}) or
    /// a list of them; seconds count from the simulator's start.
    #[arg(long)]
    script: Option<PathBuf>,
    /// Base USD-BRL rate the simulated AwesomeAPI quote moves around.
    #[arg(long, default_value_t = 5.40)]
    usd_brl: f64,
}

pub fn run(args: SimArgs) -> Result<(), String> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err("--speed must be a positive number".into());
    }
    let clock = Clock::new(args.speed);
    let series = series::load(args.data.as_deref())?;
    let tracks = series.into_iter().map(|s| Track::replay(s, clock.now())).collect();
    let sim = Sim::new(clock, tracks, args.usd_brl);
    if let Some(path) = &args.script {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let scripts: Vec<Script> = serde_json::from_str::<Vec<Script>>(&text)
            .or_else(|_| serde_json::from_str::<Script>(&text).map(|s| vec![s]))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for script in scripts {
            sim.load_script(script)?;
        }
    }
    let server = tiny_http::Server::http((args.host.as_str(), args.port))
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.host, args.port))?;
    let address = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_default();
    let symbols = sim.with_tracks(|t| t.iter().map(Track::symbol).collect::<Vec<_>>().join(", "));
    println!("exchange-sim listening on http://{address} ({symbols}; speed x{})", args.speed);
    let _ = std::io::stdout().flush();
    // Enough threads that injected delays (a fault can hold one for seconds) never starve others.
    server::serve(server, sim, 16);
    Ok(())
}
