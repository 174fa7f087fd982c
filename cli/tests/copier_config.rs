//! `auronex copier follow|master` with a broken config: one line on stderr naming the file and
//! the field, exit status 2, and nothing contacted (the API URL points at a closed port).

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

fn run(command: &str, config: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auronex")).args(["copier", command, "--config"]).arg(config).output().unwrap()
}

fn client() -> Value {
    json!({
        "api": {"url": "http://127.0.0.1:9", "ws_url": "ws://127.0.0.1:9", "username": "client_user",
                "password": "client_password", "channel_id": "c1"},
        "mt5": {"login": 87654321, "password": "mt5_password", "server": "Broker-Server"},
        "trade_copy": {"mode": "fix", "fixed_lot": 0.01, "multiplier": 1.0, "magic_number_copier": 123456,
                       "max_slippage_points": 50, "max_spread_points": 20, "max_exposure_trades": 5,
                       "max_exposure_lots": 10.0},
        "executor": {"kind": "paper", "base_url": "http://127.0.0.1:9"}
    })
}

fn sender() -> Value {
    json!({
        "api": {"url": "http://127.0.0.1:9", "username": "master_user", "password": "secret_password"},
        "mt5": {"login": 12345678, "password": "mt5_password", "server": "Broker-Server"},
        "source": {"file": "orders.jsonl"}
    })
}

fn assert_config_error(command: &str, text: &str, expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.json");
    std::fs::write(&path, text).unwrap();
    let output = run(command, &path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{command} {text}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("auronex: ") && stderr.contains("config.json: "), "{stderr}");
    assert!(stderr.contains(expected), "{stderr:?} should contain {expected:?}");
    assert!(!dir.path().join("client.log").exists() && !dir.path().join("sender.log").exists());
}

/// `config` with the field at `pointer` set (added when missing).
fn edited(mut config: Value, pointer: &str, value: Value) -> String {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    config.pointer_mut(parent).unwrap()[key] = value;
    config.to_string()
}

#[test]
fn follower_config_mistakes_are_one_line_and_exit_2() {
    let cases = [
        (edited(client(), "/trade_copy/mode", json!("double")), "trade_copy.mode: unknown variant `double`"),
        (edited(client(), "/trade_copy/max_exposure_trades", json!(-1)), "trade_copy.max_exposure_trades"),
        (
            edited(client(), "/trade_copy/multiplier", json!(0)),
            "trade_copy.multiplier: must be above 0 and at most 1000",
        ),
        (edited(client(), "/trade_copy/max_drawdown_pct", json!(150)), "trade_copy.max_drawdown_pct"),
        (edited(client(), "/executor/kind", json!("mt5")), "executor: kind: unknown variant `mt5`"),
        (edited(client(), "/executor/fee_rate", json!("abc")), "executor: fee_rate: `abc` is not a number"),
        (edited(client(), "/api/url", json!("127.0.0.1:8787")), "api.url: `127.0.0.1:8787` must start with"),
        (edited(client(), "/api/ws_url", json!("http://x")), "api.ws_url"),
        (edited(client(), "/api/channel_id", Value::Null), "api.channel_id or api.invite_code is required"),
        (edited(client(), "/api/password", json!("")), "api.username and api.password are required"),
        (edited(client(), "/trade_copy", json!({"fixed_lots": 1})), "trade_copy.fixed_lots: unknown field"),
        (client().to_string().replace("\"executor\"", "\"executer\""), "unknown field `executer`"),
        ("{\"api\": ".to_string(), "EOF while parsing"),
        ("42".to_string(), "invalid type: integer `42`"),
    ];
    for (text, expected) in cases {
        assert_config_error("follow", &text, expected);
    }
}

#[test]
fn sender_config_mistakes_are_one_line_and_exit_2() {
    let cases = [
        (edited(sender(), "/source", json!({})), "source: missing field `file`"),
        (edited(sender(), "/source/poll_ms", json!("fast")), "source.poll_ms"),
        (edited(sender(), "/api/username", json!(null)), "api.username"),
        (sender().to_string().replace("\"source\"", "\"sources\""), "unknown field `sources`"),
    ];
    for (text, expected) in cases {
        assert_config_error("master", &text, expected);
    }
}

#[test]
fn a_missing_config_file_is_named() {
    let output = run("follow", Path::new("/nonexistent/config_client.json"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr.trim(), "auronex: /nonexistent/config_client.json: No such file or directory (os error 2)");
}
