//! The simulator's shared state: markets, the clock, request counts per endpoint (so tests
//! can prove caching) and injected faults (so tests can prove retries and back-off).

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock};

use serde::Deserialize;
use serde_json::{json, Value};

use super::market::{Clock, PricePath, Track};

/// A scripted price path: `points` are `[seconds after loading, price]` in simulated time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub symbol: String,
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub quote: Option<String>,
    pub points: Vec<(f64, f64)>,
}

/// The next `count` requests whose path starts with `path` (and whose query contains
/// `query`, when given) answer `status`, after `delay_ms` (a slow or hung venue), with the
/// venue's JSON error or, when `body` is given, exactly that text (garbage, truncated JSON).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    pub path: String,
    #[serde(default)]
    pub query: Option<String>,
    pub status: u16,
    pub count: u32,
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub delay_ms: u64,
    #[serde(default)]
    pub body: Option<String>,
}

#[derive(Default)]
struct Stats {
    total: u64,
    by_path: BTreeMap<String, u64>,
    by_request: BTreeMap<String, u64>,
}

pub struct Sim {
    pub clock: Clock,
    pub usd_brl_base: f64,
    tracks: RwLock<Vec<Track>>,
    stats: Mutex<Stats>,
    faults: Mutex<Vec<Fault>>,
}

const KNOWN_QUOTES: &[&str] = &["USDT", "USDC", "FDUSD", "BRL", "BTC", "ETH", "EUR"];

impl Sim {
    pub fn new(clock: Clock, tracks: Vec<Track>, usd_brl_base: f64) -> Self {
        Self { clock, usd_brl_base, tracks: RwLock::new(tracks), stats: Mutex::default(), faults: Mutex::default() }
    }

    pub fn with_tracks<T>(&self, f: impl FnOnce(&[Track]) -> T) -> T {
        let tracks = self.tracks.read().unwrap_or_else(|p| p.into_inner());
        f(&tracks)
    }

    /// Installs a scripted path starting now, replacing the symbol's path or adding a market.
    pub fn load_script(&self, script: Script) -> Result<(), String> {
        if script.points.is_empty() || script.points.iter().any(|(t, p)| !t.is_finite() || !(*p > 0.0)) {
            return Err("points must be [seconds, positive price] pairs, at least one".into());
        }
        let origin = self.clock.now();
        let mut points: Vec<(i64, f64)> =
            script.points.iter().map(|(secs, price)| (origin + (secs * 1000.0) as i64, *price)).collect();
        points.sort_by_key(|(t, _)| *t);
        let path = PricePath::Scripted { points };
        let mut tracks = self.tracks.write().unwrap_or_else(|p| p.into_inner());
        if let Some(track) = tracks.iter_mut().find(|t| t.symbol() == script.symbol) {
            track.path = path;
            return Ok(());
        }
        let (base, quote) = match (script.base, script.quote) {
            (Some(base), Some(quote)) => (base, quote),
            _ => split_symbol(&script.symbol).ok_or("give base and quote for a new symbol")?,
        };
        if format!("{base}{quote}") != script.symbol {
            return Err(format!("{base} + {quote} does not spell {}", script.symbol));
        }
        tracks.push(Track { base, quote, path });
        Ok(())
    }

    pub fn add_fault(&self, fault: Fault) {
        self.faults.lock().unwrap_or_else(|p| p.into_inner()).push(fault);
    }

    /// Consumes one matching fault, if any.
    pub fn take_fault(&self, path: &str, query: &str) -> Option<Fault> {
        let mut faults = self.faults.lock().unwrap_or_else(|p| p.into_inner());
        let fault = faults.iter_mut().find(|f| {
            f.count > 0 && path.starts_with(&f.path) && f.query.as_deref().is_none_or(|q| query.contains(q))
        })?;
        fault.count -= 1;
        let answer = fault.clone();
        faults.retain(|f| f.count > 0);
        Some(answer)
    }

    pub fn count(&self, path: &str, query: &str) {
        let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        stats.total += 1;
        *stats.by_path.entry(path.to_string()).or_default() += 1;
        let request = if query.is_empty() { path.to_string() } else { format!("{path}?{query}") };
        *stats.by_request.entry(request).or_default() += 1;
    }

    pub fn stats(&self) -> Value {
        let stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        json!({"total": stats.total, "by_path": stats.by_path, "by_request": stats.by_request})
    }

    pub fn reset(&self) {
        *self.stats.lock().unwrap_or_else(|p| p.into_inner()) = Stats::default();
        self.faults.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

fn split_symbol(symbol: &str) -> Option<(String, String)> {
    KNOWN_QUOTES.iter().find_map(|quote| {
        let base = symbol.strip_suffix(quote)?;
        (!base.is_empty()).then(|| (base.to_string(), quote.to_string()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> Sim {
        Sim::new(Clock::new(1.0), Vec::new(), 5.0)
    }

    #[test]
    fn scripts_add_markets_and_check_spelling() {
        let sim = sim();
        let script = |json: &str| serde_json::from_str::<Script>(json).unwrap();
        sim.load_script(script(r#"{"symbol":"ABCUSDT","points":[[0,1.5]]}"#)).unwrap();
        assert_eq!(sim.with_tracks(|t| t[0].base.clone()), "ABC");
        assert!(sim.load_script(script(r#"{"symbol":"XY","points":[[0,1]]}"#)).is_err());
        assert!(sim.load_script(script(r#"{"symbol":"ABCUSDT","points":[]}"#)).is_err());
    }

    #[test]
    fn faults_are_consumed_in_order() {
        let sim = sim();
        sim.add_fault(Fault {
            path: "/api/v3/klines".into(),
            query: Some("symbol=ETHUSDT".into()),
            status: 503,
            count: 2,
            retry_after: None,
            delay_ms: 0,
            body: None,
        });
        let status = |fault: Option<Fault>| fault.map(|f| f.status);
        assert_eq!(sim.take_fault("/api/v3/klines", "symbol=BTCUSDT"), None);
        assert_eq!(status(sim.take_fault("/api/v3/klines", "symbol=ETHUSDT")), Some(503));
        assert_eq!(sim.take_fault("/api/v3/depth", "symbol=ETHUSDT"), None);
        assert_eq!(status(sim.take_fault("/api/v3/klines", "symbol=ETHUSDT&x=1")), Some(503));
        assert_eq!(sim.take_fault("/api/v3/klines", "symbol=ETHUSDT"), None);
    }

    #[test]
    fn stats_count_paths_and_full_requests() {
        let sim = sim();
        sim.count("/api/v3/klines", "symbol=A");
        sim.count("/api/v3/klines", "symbol=B");
        let stats = sim.stats();
        assert_eq!(stats["total"], 2);
        assert_eq!(stats["by_path"]["/api/v3/klines"], 2);
        assert_eq!(stats["by_request"]["/api/v3/klines?symbol=A"], 1);
        sim.reset();
        assert_eq!(sim.stats()["total"], 0);
    }
}
