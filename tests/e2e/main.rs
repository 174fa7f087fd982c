//! Black-box test run: one `wrangler dev` for all tests, each test a libtest-mimic trial.

mod accounts;
mod assets;
mod bots;
mod copier;
mod health;
mod market;
mod market_outage;
mod paper;
mod routing;
mod scheduled;
mod throttle;
mod tokens;
mod websocket;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use auronex_e2e::{Server, Simulator};
use libtest_mimic::{Arguments, Failed, Trial};

pub type Test = (&'static str, fn(&Server));

fn main() {
    let args = Arguments::from_args();
    let tests: Vec<Test> = [
        health::TESTS,
        routing::TESTS,
        websocket::TESTS,
        scheduled::TESTS,
        assets::TESTS,
        accounts::TESTS,
        tokens::TESTS,
        throttle::TESTS,
        copier::TESTS,
        market::TESTS,
        market_outage::TESTS,
        bots::TESTS,
        paper::TESTS,
    ]
    .concat();
    let wanted = tests.iter().any(|(name, _)| args.filter.as_deref().is_none_or(|f| name.contains(f)));
    // Every market-data base URL points at a local simulator: no test reaches the internet.
    let sim = (wanted && !args.list).then(|| {
        let script = auronex_e2e::workspace_root().join("tests/data/sim_script.json");
        let sim = Simulator::start(&["--script", &script.to_string_lossy()]);
        sim.share();
        sim
    });
    let server = Arc::new(sim.as_ref().map(|sim| {
        let vars = sim.worker_vars();
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        Server::start(&vars)
    }));
    let trials = tests
        .into_iter()
        .map(|(name, test)| {
            let server = Arc::clone(&server);
            Trial::test(name, move || {
                let server = server.as_ref().as_ref().ok_or_else(|| Failed::from("server not started"))?;
                catch_unwind(AssertUnwindSafe(|| test(server))).map_err(|panic| {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "test panicked".into());
                    Failed::from(message)
                })
            })
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    if conclusion.has_failed() {
        if let Some(server) = server.as_ref() {
            let log = server.log();
            let tail: Vec<&str> = log.lines().rev().take(80).collect();
            eprintln!("--- last lines of the wrangler dev log ---");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
    drop(server);
    drop(sim);
    conclusion.exit();
}
