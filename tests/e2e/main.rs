//! Black-box test run: each test a libtest-mimic trial against a running `wrangler dev`.
//! Two servers, because two groups of tests need `BINANCE_API_URL` to point at different
//! local stand-ins: the exchange simulator (market data, everything else) and the
//! recorded-request stand-ins of Binance's private API, Stripe and Mercado Pago. Both reach
//! the Telegram stand-in (the first for notifications on simulated trades).

mod accounts;
mod admin;
mod api_keys;
mod assets;
mod authz;
mod backtests;
mod billing;
mod books;
mod bots;
mod copier;
mod copier_bots;
mod copier_cli;
mod copier_hostile;
mod copier_members;
mod download_data;
mod faults;
mod flood;
mod harness;
mod health;
mod history;
mod hostile;
mod ledger;
mod market;
mod market_cache;
mod market_outage;
mod notifications;
mod paper;
mod payments;
mod pix;
mod protections;
mod routing;
mod runners;
mod scaled_exits;
mod scheduled;
mod sessions;
mod stream;
mod throttle;
mod tokens;
mod vault;
mod websocket;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use auronex_e2e::{standins, Server, Simulator};
use libtest_mimic::{Arguments, Failed, Trial};

pub type Test = (&'static str, fn(&Server));

/// A server (and the simulator it talks to, if any) started the first time one of its tests runs.
struct Lazy {
    start: fn() -> (Server, Option<Simulator>),
    server: OnceLock<(Server, Option<Simulator>)>,
}

impl Lazy {
    fn get(&self) -> &Server {
        &self.server.get_or_init(self.start).0
    }
}

fn with_simulator() -> (Server, Option<Simulator>) {
    // Every market-data base URL points at a local simulator: no test reaches the internet.
    let script = auronex_e2e::workspace_root().join("tests/data/sim_script.json");
    let sim = Simulator::start(&["--script", &script.to_string_lossy()]);
    // Telegram goes to the stand-in: notifications follow the trades the simulator drives.
    let mut vars = sim.worker_vars();
    vars.extend(standins().telegram_vars(standins::telegram::SIM_BOT_TOKEN));
    sim.share();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    (Server::start(&vars), Some(sim))
}

fn with_service_standins() -> (Server, Option<Simulator>) {
    let vars = standins().vars();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
    (Server::start(&vars), None)
}

fn main() {
    let args = Arguments::from_args();
    let groups: Vec<(Vec<Test>, Arc<Lazy>)> = vec![
        (
            [
                health::TESTS,
                harness::TESTS,
                routing::TESTS,
                websocket::TESTS,
                scheduled::TESTS,
                assets::TESTS,
                accounts::TESTS,
                tokens::TESTS,
                sessions::TESTS,
                throttle::TESTS,
                copier::TESTS,
                copier_cli::TESTS,
                copier_hostile::TESTS,
                copier_members::TESTS,
                market::TESTS,
                market_cache::TESTS,
                history::TESTS,
                download_data::TESTS,
                backtests::TESTS,
                market_outage::TESTS,
                bots::TESTS,
                paper::TESTS,
                protections::TESTS,
                scaled_exits::TESTS,
                ledger::TESTS,
                stream::TESTS,
                copier_bots::TESTS,
                runners::TESTS,
                authz::TESTS,
                hostile::TESTS,
                faults::TESTS,
                flood::TESTS,
                books::TESTS,
            ]
            .concat(),
            Arc::new(Lazy { start: with_simulator, server: OnceLock::new() }),
        ),
        (
            [
                api_keys::TESTS,
                admin::TESTS,
                payments::TESTS,
                billing::TESTS,
                pix::TESTS,
                vault::TESTS,
                notifications::TESTS,
            ]
            .concat(),
            Arc::new(Lazy { start: with_service_standins, server: OnceLock::new() }),
        ),
    ];
    let mut trials = Vec::new();
    for (tests, lazy) in &groups {
        for (name, test) in tests {
            let (lazy, test) = (Arc::clone(lazy), *test);
            trials.push(Trial::test(*name, move || {
                let server = lazy.get();
                catch_unwind(AssertUnwindSafe(|| test(server))).map_err(|panic| {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "test panicked".into());
                    Failed::from(message)
                })
            }));
        }
    }
    let conclusion = libtest_mimic::run(&args, trials);
    if conclusion.has_failed() {
        for (_, lazy) in &groups {
            let Some((server, _)) = lazy.server.get() else { continue };
            let log = server.log();
            eprintln!("--- errors in the wrangler dev log ({}) ---", server.base_url);
            for line in log.lines().filter(|line| line.contains(r#""level":"error""#)).take(40) {
                eprintln!("{line}");
            }
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            eprintln!("--- last lines of the wrangler dev log ({}) ---", server.base_url);
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
    // Servers and simulators live in OnceLocks that are never dropped: stop them explicitly.
    for (_, lazy) in groups {
        if let Some(lazy) = Arc::into_inner(lazy) {
            drop(lazy.server.into_inner());
        }
    }
    conclusion.exit();
}
