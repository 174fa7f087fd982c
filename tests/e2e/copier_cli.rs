//! The `auronex copier` programs end to end: the real binary as master (following a JSON-lines
//! file) and as follower (paper executor priced by the exchange simulator) against `wrangler
//! dev`. The follower copies with its own sizing, refuses by safety rule (logged with the rule),
//! acks with its client tickets, and survives a server restart, its own crash and a lost
//! `last_seq` without losing or repeating an order.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auronex_e2e::{auronex_binary, Account, Client, Server, Simulator};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("copier_cli::follower_copies_a_cli_master_and_refuses_by_rule", follower_copies_a_cli_master_and_refuses_by_rule),
    (
        "copier_cli::follower_survives_restarts_without_loss_or_repeat",
        follower_survives_restarts_without_loss_or_repeat,
    ),
];

/// A running `auronex copier ...`, killed when dropped.
struct Program {
    child: Child,
}

impl Program {
    fn start(command: &str, config: &Path) -> Program {
        let child = Command::new(auronex_binary())
            .args(["copier", command, "--config"])
            .arg(config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn auronex copier");
        Program { child }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        self.kill();
    }
}

struct Setup {
    dir: tempfile::TempDir,
    channel_id: String,
    master: Account,
}

impl Setup {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    fn json(&self, name: &str) -> Value {
        serde_json::from_str(&self.read(name)).unwrap_or(Value::Null)
    }

    /// Appends order events to the file the master follows.
    fn events(&self, events: &[Value]) {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(self.path("orders.jsonl")).unwrap();
        for event in events {
            writeln!(file, "{event}").unwrap();
        }
    }

    fn until(&self, what: &str, done: impl Fn(&Setup) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}\n--- tickets.json\n{}\n--- client.log\n{}\n--- sender.log\n{}",
                self.read("tickets.json"),
                self.read("client.log"),
                self.read("sender.log")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn ticket(&self, ticket: &str) -> Value {
        self.json("tickets.json")[ticket].clone()
    }

    fn status(&self, ticket: &str) -> Option<String> {
        self.ticket(ticket)["status"].as_str().map(str::to_string)
    }

    fn fills(&self) -> serde_json::Map<String, Value> {
        self.json("paper_account.json")["fills"].as_object().cloned().unwrap_or_default()
    }
}

/// A channel with a master and one follower, and their config files in a fresh folder; the
/// follower's paper account prices from `sim`.
fn setup(server: &Server, sim: &Simulator, trade_copy: Value) -> Setup {
    let master = Account::register(&server.client(), "climaster");
    let client = server.client().with_token(&master.access_token);
    let channel = client.post_json("/api/copier/channels", &json!({"name": "CLI copier"}));
    assert_eq!(channel.status, 201, "{}", channel.body);
    let channel = channel.json();
    let follower = Account::register(&server.client(), "clifollower");
    let dir = tempfile::Builder::new().prefix("auronex-copier-cli-").tempdir().unwrap();
    let client_config = json!({
        "api": {"url": server.base_url, "ws_url": server.ws_url(""), "username": follower.email,
                "password": follower.password, "invite_code": channel["invite_code"]},
        "mt5": {"login": 87654321, "password": "unused", "server": "Broker-Server"},
        "trade_copy": trade_copy,
        "executor": {"kind": "paper", "base_url": sim.base_url, "balance": 10000, "fee_rate": 0.001},
        "market": {"point": 0.01}
    });
    std::fs::write(dir.path().join("config_client.json"), client_config.to_string()).unwrap();
    let sender_config = json!({
        "api": {"url": server.base_url, "username": master.email, "password": master.password,
                "channel_id": channel["id"]},
        "mt5": {"login": 12345678, "password": "unused", "server": "Broker-Server"},
        "source": {"file": "orders.jsonl", "poll_ms": 100}
    });
    std::fs::write(dir.path().join("config_sender.json"), sender_config.to_string()).unwrap();
    Setup { dir, channel_id: channel["id"].as_str().unwrap().to_string(), master }
}

/// A simulator of its own (its request counts are no other test's business) with a flat
/// scripted market for `symbol` at `price`; returns it with the book (bid, ask).
fn flat_market(symbol: &str, price: f64) -> (Simulator, f64, f64) {
    let sim = Simulator::start(&[]);
    sim.control("script", &json!({"symbol": symbol, "points": [[0, price]]}));
    let book = Client::new(&sim.base_url).get(&format!("/api/v3/ticker/bookTicker?symbol={symbol}")).json();
    let number = |key: &str| book[key].as_str().unwrap().parse::<f64>().unwrap();
    let (bid, ask) = (number("bidPrice"), number("askPrice"));
    (sim, bid, ask)
}

fn open(ticket: &str, symbol: &str, action: &str, volume: f64, price: f64) -> Value {
    json!({"type": "open", "ticket": ticket, "symbol": symbol, "action": action, "volume": volume, "price": price})
}

fn num(value: &Value) -> f64 {
    match value {
        Value::String(text) => text.parse().unwrap(),
        other => other.as_f64().unwrap_or(f64::NAN),
    }
}

fn start_follower(setup: &Setup) -> Program {
    let follower = Program::start("follow", &setup.path("config_client.json"));
    setup.until("the follower to connect", |s| s.read("client.log").contains("connected to channel"));
    follower
}

fn follower_copies_a_cli_master_and_refuses_by_rule(server: &Server) {
    let (sim, bid, ask) = flat_market("CPYAUSDT", 100.0);
    let trade_copy = json!({"mode": "multiplier", "multiplier": 2, "max_slippage_points": 50,
                            "max_exposure_trades": 2, "magic_number_copier": 777});
    let setup = setup(server, &sim, trade_copy);
    let _follower = start_follower(&setup);
    let _master = Program::start("master", &setup.path("config_sender.json"));
    setup.events(&[
        json!({"ticket": "A1", "symbol": "CPYAUSDT", "action": "BUY", "volume": 0.1, "price": 100.0, "sl": 95, "tp": 110}),
        open("A2", "CPYAUSDT", "SELL", 0.2, 100.0),
        open("A3", "CPYAUSDT", "BUY", 0.1, 120.0),
        open("A4", "CPYAUSDT", "BUY", 0.1, 100.0),
        json!({"type": "modify", "ticket": "A1", "sl": 97}),
        json!({"type": "close", "ticket": "A2"}),
        json!({"type": "close", "ticket": "A3"}),
        open("A5", "CPYAUSDT", "BUY", 0.3, 100.0),
    ]);
    setup.until("every event applied", |s| s.status("A5").is_some());

    let a1 = setup.ticket("A1");
    assert_eq!((a1["status"].as_str(), a1["client_ticket"].as_str()), (Some("open"), Some("P1")), "{a1}");
    assert_eq!((num(&a1["volume"]), num(&a1["sl"]), num(&a1["tp"])), (0.2, 97.0, 110.0), "sized x2, SL modified");
    assert_eq!(setup.status("A2").as_deref(), Some("closed"));
    let a3 = setup.ticket("A3");
    assert_eq!((a3["status"].as_str(), a3["refused_by"].as_str()), (Some("refused"), Some("max_slippage_points")));
    let a4 = setup.ticket("A4");
    assert_eq!((a4["status"].as_str(), a4["refused_by"].as_str()), (Some("refused"), Some("max_exposure_trades")));
    assert_eq!(setup.status("A5").as_deref(), Some("open"), "A2's close freed a slot");

    let log = setup.read("client.log");
    let refused: Vec<&str> = log.lines().filter(|line| line.contains(" REFUSED ")).collect();
    assert_eq!(refused.len(), 2, "{log}");
    assert!(refused[0].contains("ticket=A3") && refused[0].contains("rule=max_slippage_points"), "{}", refused[0]);
    assert!(refused[1].contains("ticket=A4") && refused[1].contains("rule=max_exposure_trades"), "{}", refused[1]);
    assert!(log.contains("close: seq=") && log.contains("ticket=A3 is Refused here; ignored"), "{log}");

    // Honest fills: buys at the ask, sells at the bid, 0.1% fee on each.
    let fills = setup.fills();
    let mut ids: Vec<&String> = fills.keys().collect();
    ids.sort();
    assert_eq!(ids.len(), 4, "{fills:?}");
    let buy = &fills["open:A1:BUY"];
    assert_eq!((num(&buy["price"]), num(&buy["volume"])), (ask, 0.2));
    assert!((num(&buy["fee"]) - ask * 0.2 * 0.001).abs() < 1e-9, "{buy}");
    let sell = &fills["open:A2:SELL"];
    assert_eq!((num(&sell["price"]), num(&sell["volume"])), (bid, 0.4));
    let closed = fills.iter().find(|(id, _)| id.starts_with("close:A2:")).expect("A2's close fill").1;
    assert_eq!(num(&closed["price"]), ask, "a short closes by buying at the ask");
    let account = setup.json("paper_account.json");
    let positions = account["positions"].as_object().unwrap();
    assert_eq!(positions.len(), 2, "{account}");
    assert_eq!(num(&positions["P1"]["sl"]), 97.0);
    assert_eq!(positions["P1"]["magic"], 777);

    // The master's log, and the acks: the master sees P1 as A1's client ticket.
    // A follower can apply a signal before the master has read the POST's answer.
    setup.until("the master to log five broadcasts", |s| {
        s.read("sender.log").matches("POST /signal/broadcast -> 201").count() == 5
    });
    let master = server.client().with_token(&setup.master.access_token);
    let history = master.get(&format!("/api/copier/channels/{}/signals", setup.channel_id)).json();
    let a1_seq = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["ticket"] == "A1" && item["type"] == "signal")
        .map(|item| item["seq"].as_i64().unwrap())
        .expect("A1 in the history");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let deliveries =
            master.get(&format!("/api/copier/channels/{}/signals/{a1_seq}/deliveries", setup.channel_id)).json();
        if deliveries["items"][0]["client_ticket"] == "P1" {
            break;
        }
        assert!(Instant::now() < deadline, "A1 was never acked with P1: {deliveries}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn follower_survives_restarts_without_loss_or_repeat(_shared: &Server) {
    let (sim, _, ask) = flat_market("CPYBUSDT", 50.0);
    let vars = sim.worker_vars();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let state = tempfile::Builder::new().prefix("auronex-copier-restart-").tempdir().unwrap();
    let server = Server::start_in(state.path(), &vars);
    let port = server.port;
    let setup = setup(&server, &sim, json!({"mode": "fix", "fixed_lot": 0.05}));
    let mut follower = start_follower(&setup);
    let mut master = Program::start("master", &setup.path("config_sender.json"));
    setup.events(&[open("R1", "CPYBUSDT", "BUY", 1.0, 50.0)]);
    setup.until("R1 copied", |s| s.status("R1").as_deref() == Some("open"));

    // The server goes away; the master keeps receiving orders and the follower crashes.
    drop(server);
    setup.events(&[open("R2", "CPYBUSDT", "BUY", 1.0, 50.0), json!({"type": "close", "ticket": "R1"})]);
    setup.until("the master to retry", |s| s.read("sender.log").contains("retrying in"));
    follower.kill();
    follower = Program::start("follow", &setup.path("config_client.json"));
    setup.until("the follower to retry", |s| s.read("client.log").contains("reconnecting in"));

    let server = Server::start_in_at(state.path(), port, &vars);
    setup.until("R2 opened and R1 closed", |s| {
        s.status("R2").as_deref() == Some("open") && s.status("R1").as_deref() == Some("closed")
    });
    setup.events(&[open("R3", "CPYBUSDT", "BUY", 1.0, 50.0)]);
    setup.until("R3 copied", |s| s.status("R3").as_deref() == Some("open"));
    let expected = ["close:R1:", "open:R1:BUY", "open:R2:BUY", "open:R3:BUY"];
    let ids = |setup: &Setup| -> Vec<String> {
        let mut ids: Vec<String> = setup
            .fills()
            .keys()
            .map(|id| if id.starts_with("close:") { id[..9].to_string() } else { id.clone() })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&setup), expected, "every order exactly once");
    assert_eq!(num(&setup.fills()["open:R2:BUY"]["price"]), ask);
    assert_eq!(num(&setup.fills()["open:R2:BUY"]["volume"]), 0.05, "fixed lot");
    assert!(setup.read("client.log").contains("resuming after last_seq="));

    // A crash that lost `last_seq` (state written before the crash was older): the follower
    // replays what it already applied and places nothing again.
    follower.kill();
    let state_path = setup.path("copier_state.json");
    let mut saved: Value = serde_json::from_str(&std::fs::read_to_string(&state_path).unwrap()).unwrap();
    let last_seq = saved["last_seq"].as_i64().unwrap();
    assert!(last_seq >= 4, "{saved}");
    saved["last_seq"] = json!(last_seq - 4);
    std::fs::write(&state_path, saved.to_string()).unwrap();
    let log_before = setup.read("client.log").len();
    let _follower = start_follower(&setup);
    setup.until("the replay to be applied", |s| s.json("copier_state.json")["last_seq"] == last_seq);
    assert_eq!(ids(&setup), expected, "a replay places no order twice");
    let replayed = &setup.read("client.log")[log_before..];
    assert!(!replayed.contains("EXECUTED"), "{replayed}");
    // One answer per event. When the server went away with R1's answer in flight, the master's
    // retry after the restart is answered `duplicate` with R1's first seq: still one signal.
    let answered = |s: &Setup| s.read("sender.log").matches("-> 201 seq=").count();
    setup.until("the master to log an answer per event", |s| answered(s) == 4);
    master.kill();
    let history = server
        .client()
        .with_token(&setup.master.access_token)
        .get(&format!("/api/copier/channels/{}/signals", setup.channel_id))
        .json();
    assert_eq!(history["items"].as_array().unwrap().len(), 4, "each event reached the channel once: {history}");
    drop(server);
}
