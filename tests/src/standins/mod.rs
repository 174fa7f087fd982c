//! Local stand-ins for the outside services the Worker calls (Binance, Bybit, OKX, Kraken,
//! Coinbase Exchange, Gate.io, HTX, KuCoin, Foxbit, Mercado Bitcoin, Stripe, Mercado Pago,
//! Telegram):
//! one small HTTP server in the test process, each service under its own path prefix, speaking
//! the real formats and recording every request so tests can assert on exactly what was sent.
//! The Worker reaches them through the `*_API_URL` vars; nothing leaves 127.0.0.1.

pub mod binance;
pub mod hmac_venues;
pub mod mercadobitcoin;
pub mod mercadopago;
pub mod sign;
pub mod stripe;
pub mod telegram;
pub mod venues;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::SimClient;

/// One request a stand-in received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path without the service prefix, e.g. `/v1/checkout/sessions`.
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The decoded `application/x-www-form-urlencoded` body (Stripe) or query as pairs.
    pub fn form(&self) -> Vec<(String, String)> {
        url_decode_pairs(&self.body)
    }

    pub fn form_value(&self, key: &str) -> Option<String> {
        self.form().into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

pub fn url_decode_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok())
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], escaped) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Passes a request on to `base` unchanged (path, query, body) and returns its answer.
fn forward(base: &str, request: &Recorded) -> Reply {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .new_agent();
    let query = if request.query.is_empty() { String::new() } else { format!("?{}", request.query) };
    let built = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(format!("{base}{}{query}", request.path))
        .body(request.body.clone().into_bytes());
    match built.ok().and_then(|req| agent.run(req).ok()) {
        Some(mut response) => {
            let status = response.status().as_u16();
            Reply { status, body: response.body_mut().read_to_string().unwrap_or_default() }
        }
        None => Reply::json(502, serde_json::json!({"error": "upstream unreachable"})),
    }
}

pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply { status, body: body.to_string() }
    }
}

/// The running stand-ins, shared by every test in the process.
pub struct StandIns {
    pub base_url: String,
    requests: Arc<Mutex<Vec<(String, Recorded)>>>,
    /// Where Binance's public (market-data) paths go: the exchange simulator.
    binance_upstream: Arc<Mutex<Option<String>>>,
    pub stripe: Arc<stripe::Stripe>,
    pub mercadopago: Arc<mercadopago::MercadoPago>,
    pub telegram: Arc<telegram::Telegram>,
}

static STANDINS: OnceLock<StandIns> = OnceLock::new();

/// Starts the stand-ins on first use.
pub fn standins() -> &'static StandIns {
    STANDINS.get_or_init(StandIns::start)
}

impl StandIns {
    fn start() -> StandIns {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("bind the stand-ins");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stripe = Arc::new(stripe::Stripe::default());
        let mercadopago = Arc::new(mercadopago::MercadoPago::default());
        let telegram = Arc::new(telegram::Telegram::default());
        let telegram_state = Arc::clone(&telegram);
        let binance_upstream = Arc::new(Mutex::new(None::<String>));
        let (log, stripe_state, mp_state) = (Arc::clone(&requests), Arc::clone(&stripe), Arc::clone(&mercadopago));
        let upstream = Arc::clone(&binance_upstream);
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let (path, query) = match request.url().split_once('?') {
                    Some((path, query)) => (path.to_string(), query.to_string()),
                    None => (request.url().to_string(), String::new()),
                };
                let (service, rest) = match path.trim_start_matches('/').split_once('/') {
                    Some((service, rest)) => (service.to_string(), format!("/{rest}")),
                    None => (path.trim_start_matches('/').to_string(), "/".to_string()),
                };
                let recorded = Recorded {
                    method: request.method().as_str().to_string(),
                    path: rest,
                    query,
                    headers: request.headers().iter().map(|h| (h.field.to_string(), h.value.to_string())).collect(),
                    body,
                };
                let reply = match service.as_str() {
                    "binance" if recorded.path != "/api/v3/account" => match upstream.lock().unwrap().clone() {
                        Some(base) => forward(&base, &recorded),
                        None => binance::handle(&recorded),
                    },
                    "binance" | "binance-testnet" => binance::handle(&recorded),
                    "bybit" | "bybit-testnet" => venues::bybit(&recorded),
                    "okx" => venues::okx(&recorded),
                    "kraken" => hmac_venues::kraken(&recorded),
                    "coinbase" | "coinbase-sandbox" => hmac_venues::coinbase(&recorded),
                    "gateio" | "gateio-testnet" => hmac_venues::gateio(&recorded),
                    "htx" => hmac_venues::htx(&recorded),
                    "kucoin" => hmac_venues::kucoin(&recorded),
                    "foxbit" => hmac_venues::foxbit(&recorded),
                    "mercadobitcoin" => mercadobitcoin::handle(&recorded),
                    "stripe" => stripe_state.handle(&recorded),
                    "mercadopago" => mp_state.handle(&recorded),
                    "telegram" => telegram_state.handle(&recorded),
                    _ => Reply::json(404, serde_json::json!({"error": "no such stand-in"})),
                };
                log.lock().unwrap().push((service, recorded));
                let header = tiny_http::Header::from_bytes("content-type", "application/json").unwrap();
                let response =
                    tiny_http::Response::from_string(reply.body).with_status_code(reply.status).with_header(header);
                let _ = request.respond(response);
            }
        });
        StandIns {
            base_url: format!("http://127.0.0.1:{port}"),
            requests,
            binance_upstream,
            stripe,
            mercadopago,
            telegram,
        }
    }

    /// The `--var`s that point the Worker at the stand-ins, with their test credentials.
    pub fn vars(&self) -> Vec<(String, String)> {
        let url = |service: &str| format!("{}/{service}", self.base_url);
        vec![
            ("BINANCE_API_URL".into(), url("binance")),
            ("BINANCE_TESTNET_API_URL".into(), url("binance-testnet")),
            ("BYBIT_API_URL".into(), url("bybit")),
            ("BYBIT_TESTNET_API_URL".into(), url("bybit-testnet")),
            ("OKX_API_URL".into(), url("okx")),
            ("KRAKEN_API_URL".into(), url("kraken")),
            ("COINBASE_API_URL".into(), url("coinbase")),
            ("COINBASE_SANDBOX_API_URL".into(), url("coinbase-sandbox")),
            ("GATEIO_API_URL".into(), url("gateio")),
            ("GATEIO_TESTNET_API_URL".into(), url("gateio-testnet")),
            ("HTX_API_URL".into(), url("htx")),
            ("KUCOIN_API_URL".into(), url("kucoin")),
            ("FOXBIT_API_URL".into(), url("foxbit")),
            ("MERCADOBITCOIN_API_URL".into(), url("mercadobitcoin")),
            ("STRIPE_API_URL".into(), url("stripe")),
            ("STRIPE_SECRET_KEY".into(), stripe::SECRET_KEY.into()),
            ("STRIPE_WEBHOOK_SECRET".into(), stripe::WEBHOOK_SECRET.into()),
            ("MERCADOPAGO_API_URL".into(), url("mercadopago")),
            ("MERCADOPAGO_ACCESS_TOKEN".into(), mercadopago::ACCESS_TOKEN.into()),
            ("MERCADOPAGO_WEBHOOK_SECRET".into(), mercadopago::WEBHOOK_SECRET.into()),
        ]
        .into_iter()
        .chain(self.telegram_vars(telegram::BOT_TOKEN))
        .collect()
    }

    /// The Telegram Bot API vars alone, for the bot of `token` (the simulator's server adds
    /// them to its own, with a bot of its own).
    pub fn telegram_vars(&self, token: &str) -> Vec<(String, String)> {
        vec![
            ("TELEGRAM_API_URL".into(), format!("{}/telegram", self.base_url)),
            ("TELEGRAM_BOT_TOKEN".into(), token.into()),
        ]
    }

    /// The simulator's market-data vars with the stand-ins' on top; Binance's market-data paths
    /// are forwarded to the simulator, so both can share `BINANCE_API_URL`.
    pub fn worker_vars(&self, sim: &SimClient) -> Vec<(String, String)> {
        *self.binance_upstream.lock().unwrap() = Some(sim.base_url.clone());
        let ours = self.vars();
        let mut vars: Vec<(String, String)> =
            sim.worker_vars().into_iter().filter(|(key, _)| !ours.iter().any(|(k, _)| k == key)).collect();
        vars.extend(ours);
        vars
    }

    /// Every request `service` received that matches `predicate`, oldest first.
    pub fn received(&self, service: &str, predicate: impl Fn(&Recorded) -> bool) -> Vec<Recorded> {
        let log = self.requests.lock().unwrap();
        log.iter().filter(|(s, r)| s == service && predicate(r)).map(|(_, r)| r.clone()).collect()
    }

    /// Waits until such a request arrives (the Worker calls out while answering, so it is
    /// normally there already).
    pub fn wait_for(&self, service: &str, limit: Duration, predicate: impl Fn(&Recorded) -> bool) -> Option<Recorded> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(found) = self.received(service, &predicate).pop() {
                return Some(found);
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
