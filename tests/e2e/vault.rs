//! Master key rotation across restarts: keys sealed under the old key stay usable while it is
//! `ENCRYPTION_KEY_PREVIOUS`, the admin rotation re-seals every one under the new key, and
//! after the old key is gone every key still works. Runs its own servers on one state dir.

use auronex_e2e::{admin_token, standins, Account, Server};
use serde_json::json;

use crate::api_keys::{binance_key, store};

pub const TESTS: &[crate::Test] = &[("vault::rotation_keeps_every_key_usable", rotation_keeps_every_key_usable)];

const OLD_KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
const NEW_KEY: &str = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";

fn start(dir: &std::path::Path, keys: &[(&str, &str)]) -> Server {
    let vars = standins().worker_vars(auronex_e2e::SimClient::shared());
    let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend_from_slice(keys);
    Server::start_in(dir, &all)
}

/// Tests every key, as a client would: a key tested moments ago is asked again after the
/// server's `Retry-After` (key tests are spaced per key).
fn all_ok(server: &Server, keys: &[(&Account, String)]) {
    for (account, id) in keys {
        let client = server.client().with_token(&account.access_token);
        let mut reply = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({}));
        for _ in 0..3 {
            if reply.status != 429 {
                break;
            }
            let wait: u64 = reply.header("retry-after").and_then(|v| v.parse().ok()).unwrap_or(3);
            std::thread::sleep(std::time::Duration::from_secs(wait));
            reply = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({}));
        }
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.json()["ok"], true, "{}", reply.body);
    }
}

fn key_ids(server: &Server) -> Vec<String> {
    let rows = server.d1_rows("SELECT DISTINCT key_id FROM api_keys ORDER BY key_id");
    rows.iter().map(|row| row["key_id"].as_str().unwrap().to_string()).collect()
}

fn rotation_keeps_every_key_usable(_shared: &Server) {
    let dir = tempfile::Builder::new().prefix("auronex-rotation-").tempdir().unwrap();
    let (ana, bob, mut keys);
    {
        let server = start(dir.path(), &[("ENCRYPTION_KEY", OLD_KEY)]);
        ana = Account::register(&server.client(), "rot-ana");
        bob = Account::register(&server.client(), "rot-bob");
        keys = vec![
            (
                &ana,
                store(&server, &ana, &binance_key(auronex_e2e::standins::binance::SECRET_KEY))["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            ),
            (
                &bob,
                store(&server, &bob, &binance_key(auronex_e2e::standins::binance::SECRET_KEY))["id"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            ),
        ];
        all_ok(&server, &keys);
    }
    let old_id;
    {
        let server = start(dir.path(), &[("ENCRYPTION_KEY", NEW_KEY), ("ENCRYPTION_KEY_PREVIOUS", OLD_KEY)]);
        let before = key_ids(&server);
        assert_eq!(before.len(), 1);
        old_id = before[0].clone();
        all_ok(&server, &keys);
        // A key stored now is sealed under the new key.
        keys.push((
            &ana,
            store(&server, &ana, &binance_key(auronex_e2e::standins::binance::SECRET_KEY))["id"]
                .as_str()
                .unwrap()
                .to_string(),
        ));
        assert_eq!(key_ids(&server).len(), 2);
        let admin = server.client().with_token(&admin_token(&server.client()));
        let client = server.client().with_token(&ana.access_token);
        assert_eq!(client.post_json("/api/admin/vault/rotate", &json!({})).status, 403);
        let report = admin.post_json("/api/admin/vault/rotate", &json!({}));
        assert_eq!(report.status, 200, "{}", report.body);
        let report = report.json();
        assert_eq!((report["resealed"].as_u64(), report["failed"].as_u64()), (Some(2), Some(0)), "{report}");
        assert_eq!((report["complete"].as_bool(), report["next_cursor"].is_null()), (Some(true), true));
        let after = key_ids(&server);
        assert_eq!(after.len(), 1);
        assert_ne!(after[0], old_id);
        assert_eq!(report["current_key_id"], after[0].as_str());
        assert_eq!(admin.post_json("/api/admin/vault/rotate", &json!({})).json()["resealed"], 0, "idempotent");
        let audit = admin.get("/api/admin/audit?action=vault.rotate").json();
        assert_eq!((audit["total"].as_u64(), audit["items"][1]["detail"]["resealed"].as_u64()), (Some(2), Some(2)));
        all_ok(&server, &keys);
    }
    {
        let server = start(dir.path(), &[("ENCRYPTION_KEY", NEW_KEY)]);
        all_ok(&server, &keys);
    }
}
