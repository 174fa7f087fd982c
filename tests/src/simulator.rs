//! The exchange simulator (`auronex exchange-sim`) as a test stand-in for every outside
//! market-data service: built once, started on a free port, asked for its request counts,
//! and stopped by its recorded pid.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use crate::server::workspace_root;

/// Venues the simulator does not speak: their base URLs point at a path it answers with 404,
/// so nothing a test does can reach the internet.
const UNSIMULATED: &[&str] = &[
    "BYBIT_API_URL",
    "OKX_API_URL",
    "KRAKEN_API_URL",
    "COINBASE_API_URL",
    "GATEIO_API_URL",
    "HTX_API_URL",
    "KUCOIN_API_URL",
    "MERCADOBITCOIN_API_URL",
    "FOXBIT_API_URL",
];

/// A running simulator process; stopped when dropped.
pub struct Simulator {
    child: Option<Child>,
    client: SimClient,
}

/// Talks to a simulator: its URL, request counts and control endpoints.
#[derive(Clone)]
pub struct SimClient {
    pub base_url: String,
    agent: ureq::Agent,
}

static SHARED: OnceLock<SimClient> = OnceLock::new();

/// Builds `auronex` (a no-op when up to date) and returns its path.
pub fn auronex_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = workspace_root();
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .current_dir(&root)
                .args(["build", "-q", "-p", "auronex-cli", "--bin", "auronex"])
                .status()
                .expect("run cargo build for the simulator");
            assert!(status.success(), "building auronex failed");
            let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("target"));
            target.join("debug/auronex")
        })
        .clone()
}

impl Simulator {
    /// Starts a simulator with `args` (e.g. `--script FILE`) on a free port.
    pub fn start(args: &[&str]) -> Simulator {
        let mut child = Command::new(auronex_binary())
            .args(["exchange-sim", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn exchange-sim");
        let stdout = child.stdout.take().expect("simulator stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("read the simulator's first line");
        let base_url = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in the simulator's line: {line:?}"))
            .to_string();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Simulator { child: Some(child), client: SimClient { base_url, agent } }
    }

    /// Makes this simulator the one every test of the run reaches through
    /// [`SimClient::shared`]; the caller keeps owning (and eventually stopping) it.
    pub fn share(&self) {
        let _ = SHARED.set(self.client.clone());
    }

    /// Stops the simulator (its port then refuses connections).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl std::ops::Deref for Simulator {
    type Target = SimClient;

    fn deref(&self) -> &SimClient {
        &self.client
    }
}

impl SimClient {
    pub fn shared() -> &'static SimClient {
        SHARED.get().expect("the shared simulator is started by the test main")
    }

    /// `--var` pairs pointing every market-data base URL of the Worker at this simulator.
    pub fn worker_vars(&self) -> Vec<(String, String)> {
        let mut vars = vec![
            ("BINANCE_API_URL".to_string(), self.base_url.clone()),
            ("AWESOMEAPI_URL".to_string(), self.base_url.clone()),
        ];
        for var in UNSIMULATED {
            let venue = var.trim_end_matches("_API_URL").to_ascii_lowercase();
            vars.push((var.to_string(), format!("{}/__unsimulated/{venue}", self.base_url)));
        }
        vars
    }

    /// `GET /__sim/stats`: request counts by path and by full request.
    pub fn stats(&self) -> Value {
        let mut response = self.agent.get(format!("{}/__sim/stats", self.base_url)).call().expect("simulator stats");
        response.body_mut().read_json().expect("stats JSON")
    }

    /// How many requests reached the simulator for exactly this path and query.
    pub fn count(&self, path_and_query: &str) -> u64 {
        self.stats()["by_request"][path_and_query].as_u64().unwrap_or(0)
    }

    /// How many requests reached the simulator for this path, whatever the query.
    pub fn count_path(&self, path: &str) -> u64 {
        self.stats()["by_path"][path].as_u64().unwrap_or(0)
    }

    /// Requests whose path and query contain `needle`, summed.
    pub fn count_matching(&self, needle: &str) -> u64 {
        let stats = self.stats();
        stats["by_request"]
            .as_object()
            .map(|all| {
                all.iter().filter(|(request, _)| request.contains(needle)).filter_map(|(_, count)| count.as_u64()).sum()
            })
            .unwrap_or(0)
    }

    /// Distinct requests (path and query) containing `needle`: a request retried after a
    /// timeout counts once.
    pub fn distinct_matching(&self, needle: &str) -> usize {
        let stats = self.stats();
        stats["by_request"].as_object().map_or(0, |all| all.keys().filter(|request| request.contains(needle)).count())
    }

    /// `GET` any simulated venue path (e.g. klines), as a client of the venue would.
    pub fn get_json(&self, path_and_query: &str) -> Value {
        let mut response =
            self.agent.get(format!("{}{path_and_query}", self.base_url)).call().expect("simulator request");
        assert_eq!(response.status().as_u16(), 200, "{path_and_query}");
        response.body_mut().read_json().expect("simulator JSON")
    }

    /// `POST /__sim/{control}` with a JSON body (scripts, faults).
    pub fn control(&self, control: &str, body: &Value) -> Value {
        let mut response =
            self.agent.post(format!("{}/__sim/{control}", self.base_url)).send_json(body).expect("simulator control");
        assert_eq!(response.status().as_u16(), 200, "control {control} refused");
        response.body_mut().read_json().expect("control JSON")
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}
