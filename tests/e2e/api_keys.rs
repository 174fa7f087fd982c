//! The API key vault end to end: keys go in, only hints come out, another user's key is 404,
//! the rows in D1 hold no plain text, a ciphertext moved to another row does not decrypt, and
//! the key test makes a correctly signed Binance request (checked by the stand-in).

use std::path::Path;

use auronex_e2e::standins::{binance, hmac_venues as hv, mercadobitcoin as mb, venues};
use auronex_e2e::{standins, Account, Server};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("api_keys::store_list_delete_show_only_hints", store_list_delete_show_only_hints),
    ("api_keys::another_users_key_is_404", another_users_key_is_404),
    ("api_keys::bad_input_and_no_token", bad_input_and_no_token),
    ("api_keys::binance_test_is_signed_and_reports_balances", binance_test_is_signed_and_reports_balances),
    ("api_keys::venue_refusals_in_plain_words", venue_refusals_in_plain_words),
    ("api_keys::bybit_and_okx_tests_are_signed", bybit_and_okx_tests_are_signed),
    ("api_keys::hmac_venues_verify_signatures_and_report_balances", hmac_venues_verify_signatures_and_report_balances),
    ("api_keys::hmac_venues_refuse_a_wrong_secret_in_plain_words", hmac_venues_refuse_a_wrong_secret_in_plain_words),
    (
        "api_keys::mercadobitcoin_logs_in_for_a_token_then_reads_balances",
        mercadobitcoin_logs_in_for_a_token_then_reads_balances,
    ),
    ("api_keys::a_venue_in_passing_trouble_is_asked_again", a_venue_in_passing_trouble_is_asked_again),
    ("api_keys::keys_never_stored_in_plain_text", keys_never_stored_in_plain_text),
    ("api_keys::ciphertext_moved_to_another_row_does_not_decrypt", ciphertext_moved_to_another_row_does_not_decrypt),
];

pub fn binance_key(secret: &str) -> Value {
    json!({"exchange": "binance", "api_key": binance::API_KEY, "secret_key": secret, "label": "main", "is_testnet": false})
}

pub fn store(server: &Server, account: &Account, body: &Value) -> Value {
    let reply = server.client().with_token(&account.access_token).post_json("/api/api-keys", body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

fn store_list_delete_show_only_hints(server: &Server) {
    let account = Account::register(&server.client(), "keys");
    let client = server.client().with_token(&account.access_token);
    let created = store(server, &account, &binance_key(binance::SECRET_KEY));
    assert_eq!(created["key_hint"], "e2eB...AbCd");
    assert_eq!((created["exchange"].as_str(), created["label"].as_str()), (Some("binance"), Some("main")));
    assert_eq!((created["is_testnet"].as_bool(), created["is_active"].as_bool()), (Some(false), Some(true)));
    let listed = client.get("/api/api-keys/");
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json().as_array().unwrap().len(), 1);
    for body in [created.to_string(), listed.body.clone()] {
        assert!(!body.contains(binance::API_KEY) && !body.contains(binance::SECRET_KEY), "a credential left: {body}");
        assert!(!body.contains("sealed") && !body.contains("key_id"), "{body}");
    }
    let id = created["id"].as_str().unwrap();
    assert_eq!(client.delete(&format!("/api/api-keys/{id}")).status, 204);
    assert_eq!(client.get("/api/api-keys").json(), json!([]));
    assert_eq!(client.delete(&format!("/api/api-keys/{id}")).status, 404);
}

fn another_users_key_is_404(server: &Server) {
    let owner = Account::register(&server.client(), "owner");
    let other = Account::register(&server.client(), "other");
    let id = store(server, &owner, &binance_key(binance::SECRET_KEY))["id"].as_str().unwrap().to_string();
    let intruder = server.client().with_token(&other.access_token);
    assert_eq!(intruder.get("/api/api-keys").json(), json!([]));
    for reply in [
        intruder.delete(&format!("/api/api-keys/{id}")),
        intruder.post_json(&format!("/api/api-keys/{id}/test"), &json!({})),
    ] {
        assert_eq!(reply.status, 404, "{}", reply.body);
        assert_eq!(reply.error_code(), "not_found");
    }
    let list = server.client().with_token(&owner.access_token).get("/api/api-keys").json();
    assert_eq!(list.as_array().unwrap().len(), 1, "the owner's key is untouched");
}

fn bad_input_and_no_token(server: &Server) {
    let anonymous = server.client();
    assert_eq!(anonymous.get("/api/api-keys").status, 401);
    assert_eq!(anonymous.post_json("/api/api-keys", &binance_key("whatever-secret")).status, 401);
    assert_eq!(anonymous.delete("/api/api-keys/x").status, 401);
    assert_eq!(anonymous.post_json("/api/api-keys/x/test", &json!({})).status, 401);
    let account = Account::register(&server.client(), "keysval");
    let client = server.client().with_token(&account.access_token);
    let cases = [
        (json!({"exchange": "nasdaq", "api_key": "abcdefghijkl", "secret_key": "secretsecret"}), "exchange"),
        (json!({"exchange": "binance", "api_key": "short", "secret_key": "secretsecret"}), "api_key"),
        (json!({"exchange": "binance", "api_key": "abcdefghijkl", "secret_key": "has spaces in it"}), "secret_key"),
        (json!({"exchange": "okx", "api_key": "abcdefghijkl", "secret_key": "secretsecret"}), "passphrase"),
        (json!({"exchange": "binance", "api_key": "abcdefghijkl"}), "secret_key"),
        (json!({"exchange": "binance", "api_key": 42, "secret_key": "secretsecret"}), "api_key"),
        (
            json!({"exchange": "binance", "api_key": "abcdefghijkl", "secret_key": "secretsecret", "is_testnet": "yes"}),
            "is_testnet",
        ),
    ];
    for (body, field) in cases {
        let reply = client.post_json("/api/api-keys", &body);
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"]["field"], field, "{body}");
    }
    let malformed =
        client.send("POST", "/api/api-keys", Some(b"{\"exchange\":".to_vec()), &[("content-type", "application/json")]);
    assert_eq!((malformed.status, malformed.error_code().as_str()), (400, "malformed_json"));
    assert_eq!(client.get("/api/api-keys").json(), json!([]), "nothing stored by refused requests");
}

fn binance_test_is_signed_and_reports_balances(server: &Server) {
    let account = Account::register(&server.client(), "keytest");
    let id = store(server, &account, &binance_key(binance::SECRET_KEY))["id"].as_str().unwrap().to_string();
    let client = server.client().with_token(&account.access_token);
    let reply = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let result = reply.json();
    assert_eq!(result["ok"], true, "{result}");
    let assets: Vec<&str> =
        result["balances"].as_array().unwrap().iter().map(|b| b["asset"].as_str().unwrap()).collect();
    assert_eq!(assets, ["BTC", "LTC"]);
    assert_eq!(result["balances"][0]["free"], 4_723_846.892_081_29);
    // What reached "Binance": the key in X-MBX-APIKEY, a signed query, no secret anywhere.
    let sent = standins()
        .received("binance", |r| r.path == "/api/v3/account")
        .into_iter()
        .rev()
        .find(|r| r.header("x-mbx-apikey") == Some(binance::API_KEY))
        .expect("the stand-in saw the request");
    let (signed, signature) = sent.query.rsplit_once("&signature=").unwrap();
    assert!(signed.contains("recvWindow=5000") && signed.contains("timestamp="), "{}", sent.query);
    assert_eq!(signature.len(), 64);
    assert!(
        !sent.query.contains(binance::SECRET_KEY) && !sent.headers.iter().any(|(_, v)| v.contains(binance::SECRET_KEY))
    );
    let again = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({}));
    assert_eq!((again.status, again.error_code().as_str()), (429, "rate_limited"), "tests of one key are spaced");
    assert!(again.header("retry-after").is_some());
    let listed = client.get("/api/api-keys").json();
    assert_eq!(listed[0]["last_test_ok"], true);
    assert!(listed[0]["last_tested_at"].is_string());
}

fn venue_refusals_in_plain_words(server: &Server) {
    let account = Account::register(&server.client(), "keyrefused");
    let client = server.client().with_token(&account.access_token);
    let test = |body: Value| {
        let id = store(server, &account, &body)["id"].as_str().unwrap().to_string();
        let reply = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({}));
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.json()
    };
    let wrong_secret = test(binance_key("not-the-right-secret-0000"));
    assert_eq!(wrong_secret["ok"], false);
    assert!(wrong_secret["message"].as_str().unwrap().contains("secret key does not belong"), "{wrong_secret}");
    let mut unknown = binance_key(binance::SECRET_KEY);
    unknown["api_key"] = "unknownBinanceKey000000000000".into();
    let unknown = test(unknown);
    assert!(unknown["message"].as_str().unwrap().contains("whitelist"), "{unknown}");
    let mut testnet = binance_key(binance::SECRET_KEY);
    testnet["is_testnet"] = true.into();
    let before = standins().received("binance-testnet", |_| true).len();
    assert_eq!(test(testnet)["ok"], true);
    assert_eq!(standins().received("binance-testnet", |_| true).len(), before + 1, "testnet keys go to the testnet");
    let kraken =
        json!({"exchange": "kraken", "api_key": hv::KRAKEN_KEY, "secret_key": hv::KRAKEN_SECRET, "is_testnet": true});
    assert!(test(kraken)["message"].as_str().unwrap().contains("no test network"));
}

fn bybit_and_okx_tests_are_signed(server: &Server) {
    let account = Account::register(&server.client(), "venues");
    let client = server.client().with_token(&account.access_token);
    let test = |body: Value| {
        let id = store(server, &account, &body)["id"].as_str().unwrap().to_string();
        client.post_json(&format!("/api/api-keys/{id}/test"), &json!({})).json()
    };
    let bybit = test(json!({"exchange": "bybit", "api_key": venues::BYBIT_KEY, "secret_key": venues::BYBIT_SECRET}));
    assert_eq!((bybit["ok"].as_bool(), bybit["balances"][0]["asset"].as_str()), (Some(true), Some("USDT")), "{bybit}");
    assert_eq!(
        (bybit["balances"][0]["free"].as_f64(), bybit["balances"][0]["locked"].as_f64()),
        (Some(1.0), Some(0.5))
    );
    let wrong = test(json!({"exchange": "bybit", "api_key": venues::BYBIT_KEY, "secret_key": "wrong-bybit-secret"}));
    assert!(wrong["message"].as_str().unwrap().contains("secret key"), "{wrong}");
    let before = standins().received("bybit-testnet", |_| true).len();
    let testnet = test(
        json!({"exchange": "bybit", "api_key": venues::BYBIT_KEY, "secret_key": venues::BYBIT_SECRET, "is_testnet": true}),
    );
    assert_eq!(testnet["ok"], true);
    assert_eq!(standins().received("bybit-testnet", |_| true).len(), before + 1);
    let okx = json!({"exchange": "okx", "api_key": venues::OKX_KEY, "secret_key": venues::OKX_SECRET, "passphrase": venues::OKX_PASSPHRASE});
    let result = test(okx.clone());
    assert_eq!(
        (result["ok"].as_bool(), result["balances"][0]["asset"].as_str()),
        (Some(true), Some("BTC")),
        "{result}"
    );
    let mut demo = okx.clone();
    demo["is_testnet"] = true.into();
    assert_eq!(test(demo)["ok"], true);
    let sent = standins().received("okx", |r| r.header("x-simulated-trading") == Some("1"));
    assert!(!sent.is_empty(), "demo keys are flagged to OKX");
    let mut wrong_passphrase = okx;
    wrong_passphrase["passphrase"] = "not-it".into();
    let refused = test(wrong_passphrase);
    assert!(refused["message"].as_str().unwrap().contains("passphrase"), "{refused}");
}

/// Each venue's key (with its passphrase where it has one), the stand-in's service name, and the
/// first asset of the venue's documented balance answer.
fn hmac_venue_keys() -> Vec<(Value, &'static str, &'static str)> {
    vec![
        (json!({"exchange": "kraken", "api_key": hv::KRAKEN_KEY, "secret_key": hv::KRAKEN_SECRET}), "kraken", "DAI"),
        (
            json!({"exchange": "coinbase", "api_key": hv::COINBASE_KEY, "secret_key": hv::COINBASE_SECRET, "passphrase": hv::COINBASE_PASSPHRASE}),
            "coinbase",
            "BTC",
        ),
        (json!({"exchange": "gateio", "api_key": hv::GATEIO_KEY, "secret_key": hv::GATEIO_SECRET}), "gateio", "ETH"),
        (json!({"exchange": "htx", "api_key": hv::HTX_KEY, "secret_key": hv::HTX_SECRET}), "htx", "USDT"),
        (
            json!({"exchange": "kucoin", "api_key": hv::KUCOIN_KEY, "secret_key": hv::KUCOIN_SECRET, "passphrase": hv::KUCOIN_PASSPHRASE}),
            "kucoin",
            "BTC",
        ),
        (json!({"exchange": "foxbit", "api_key": hv::FOXBIT_KEY, "secret_key": hv::FOXBIT_SECRET}), "foxbit", "BTC"),
    ]
}

fn hmac_venues_verify_signatures_and_report_balances(server: &Server) {
    let account = Account::register(&server.client(), "hmacvenues");
    let client = server.client().with_token(&account.access_token);
    for (key, service, first_asset) in hmac_venue_keys() {
        let before = standins().received(service, |_| true).len();
        let id = store(server, &account, &key)["id"].as_str().unwrap().to_string();
        let reply = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({}));
        assert_eq!(reply.status, 200, "{service}: {}", reply.body);
        let result = reply.json();
        assert_eq!(result["ok"], true, "{service}: {result}");
        assert_eq!(result["balances"][0]["asset"], first_asset, "{service}: {result}");
        // Other tests call the same stand-ins concurrently: look for this test's calls, not a count.
        let sent = standins().received(service, |_| true);
        assert!(sent.len() > before, "{service}: the stand-in saw the request");
        if service == "htx" {
            let balance = sent[before..].iter().any(|r| r.path == "/v1/account/accounts/10000001/balance");
            assert!(balance, "HTX: the balance of the spot account found by the first call was asked for");
        }
        let secret = key["secret_key"].as_str().unwrap();
        for request in &sent[before..] {
            let everything = format!("{} {} {} {:?}", request.path, request.query, request.body, request.headers);
            assert!(!everything.contains(secret), "{service}: the secret left the Worker");
            if let Some(passphrase) = key["passphrase"].as_str().filter(|_| service == "kucoin") {
                assert!(!everything.contains(passphrase), "kucoin key version 2 never sends the passphrase itself");
            }
        }
    }
    // One log line per call, naming the path but never the query (HTX signs in the query).
    let service_field = |service: &str| format!("\"service\":\"{service}\"");
    let line = server
        .wait_for_log_line(std::time::Duration::from_secs(5), |line| {
            line.contains("\"event\":\"upstream\"") && line.contains(&service_field("htx"))
        })
        .expect("the HTX calls are logged");
    assert!(line.contains("/v1/account/accounts") && !line.contains('?'), "{line}");
    let log = server.log();
    assert!(!log.contains("Signature=") && !log.contains("AccessKeyId="), "a signed query reached the log");
    for (key, service, _) in hmac_venue_keys() {
        assert!(log.contains(&service_field(service)), "{service} calls are logged");
        assert!(!log.contains(key["secret_key"].as_str().unwrap()), "{service}: a secret reached the log");
    }
}

fn hmac_venues_refuse_a_wrong_secret_in_plain_words(server: &Server) {
    let account = Account::register(&server.client(), "hmacwrong");
    let client = server.client().with_token(&account.access_token);
    for (mut key, service, _) in hmac_venue_keys() {
        // Still base64 where the venue's secrets are, so the venue (not Auronex) refuses it.
        key["secret_key"] = "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==".into();
        let id = store(server, &account, &key)["id"].as_str().unwrap().to_string();
        let result = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({})).json();
        assert_eq!(result["ok"], false, "{service}: {result}");
        let message = result["message"].as_str().unwrap();
        // KuCoin checks the passphrase, signed with the secret, before the request's signature.
        let what = if service == "kucoin" { "refused the signed passphrase" } else { "refused the signature" };
        assert!(message.contains(what) && message.contains("does not belong"), "{service}: {message}");
        assert!(result.get("balances").is_none(), "{service}: {result}");
    }
    let mut unknown = hmac_venue_keys().remove(3).0;
    unknown["api_key"] = "e2e00001-unknown1-00000001-0001".into();
    let id = store(server, &account, &unknown)["id"].as_str().unwrap().to_string();
    let result = client.post_json(&format!("/api/api-keys/{id}/test"), &json!({})).json();
    assert!(result["message"].as_str().unwrap().contains("HTX refused the key"), "{result}");
}

fn a_venue_in_passing_trouble_is_asked_again(server: &Server) {
    let account = Account::register(&server.client(), "flaky");
    let key = json!({"exchange": "foxbit", "api_key": hv::FOXBIT_FLAKY_KEY, "secret_key": hv::FOXBIT_SECRET});
    let id = store(server, &account, &key)["id"].as_str().unwrap().to_string();
    let flaky = |r: &auronex_e2e::standins::Recorded| r.header("x-fb-access-key") == Some(hv::FOXBIT_FLAKY_KEY);
    let before = standins().received("foxbit", flaky).len();
    let result = server
        .client()
        .with_token(&account.access_token)
        .post_json(&format!("/api/api-keys/{id}/test"), &json!({}))
        .json();
    assert_eq!(result["ok"], true, "the 503 was retried: {result}");
    assert_eq!(standins().received("foxbit", flaky).len(), before + 2, "one 503, then one answer");
}

fn mercadobitcoin_logs_in_for_a_token_then_reads_balances(server: &Server) {
    let account = Account::register(&server.client(), "mbkeys");
    let client = server.client().with_token(&account.access_token);
    let test = |secret: &str| {
        let key = json!({"exchange": "mercadobitcoin", "api_key": mb::TOKEN_ID, "secret_key": secret});
        let id = store(server, &account, &key)["id"].as_str().unwrap().to_string();
        client.post_json(&format!("/api/api-keys/{id}/test"), &json!({})).json()
    };
    let before = standins().received("mercadobitcoin", |_| true).len();
    let result = test(mb::TOKEN_SECRET);
    assert_eq!(result["ok"], true, "{result}");
    let assets: Vec<&str> =
        result["balances"].as_array().unwrap().iter().map(|b| b["asset"].as_str().unwrap()).collect();
    assert_eq!(assets, ["BRL", "BTC"]);
    assert_eq!(
        (result["balances"][1]["free"].as_f64(), result["balances"][1]["locked"].as_f64()),
        (Some(0.5), Some(0.01))
    );
    let sent = standins().received("mercadobitcoin", |_| true);
    let paths: Vec<&str> = sent[before..].iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/api/v4/authorize", "/api/v4/accounts", "/api/v4/accounts/a322205ace882ef800553118e5000066/balances"]
    );
    assert!(sent[before + 1..]
        .iter()
        .all(|r| !r.body.contains(mb::TOKEN_SECRET) && !r.query.contains(mb::TOKEN_SECRET)));
    let refused = test("not-the-token-secret-0000");
    assert_eq!(refused["ok"], false);
    assert!(refused["message"].as_str().unwrap().contains("refused the API token id or secret"), "{refused}");
}

/// Every file of the local D1 (database, WAL, journal) as bytes.
fn d1_bytes(persist: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut stack = vec![persist.join("v3/d1")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(content) = std::fs::read(&path) {
                bytes.extend(content);
            }
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle.as_bytes())
}

fn keys_never_stored_in_plain_text(server: &Server) {
    let account = Account::register(&server.client(), "plaintext");
    let secret = format!("DistinctSecret{}x{}", std::process::id(), account.id());
    let passphrase = format!("DistinctPassphrase{}", std::process::id());
    let api_key = format!("DistinctApiKey{}", account.id());
    let body = json!({"exchange": "okx", "api_key": api_key, "secret_key": secret, "passphrase": passphrase});
    store(server, &account, &body);
    let rows = server.d1_rows(&format!("SELECT * FROM api_keys WHERE user_id = '{}'", account.id()));
    assert_eq!(rows.len(), 1);
    let row = rows[0].to_string();
    for plain in [&api_key, &secret, &passphrase] {
        assert!(!row.contains(plain.as_str()), "{plain} is in the row: {row}");
    }
    assert_eq!(rows[0]["key_hint"], format!("{}...{}", &api_key[..4], &api_key[api_key.len() - 4..]));
    assert_eq!(rows[0]["key_id"].as_str().unwrap().len(), 16);
    assert!(rows[0]["sealed"].as_str().unwrap().len() > 60);
    let bytes = d1_bytes(server.persist_dir());
    assert!(contains(&bytes, account.id()), "the scan reads the database files");
    for plain in [&api_key, &secret, &passphrase] {
        assert!(!contains(&bytes, plain), "{plain} is somewhere in the D1 files");
    }
    let log = server.log();
    assert!(
        !log.contains(&secret) && !log.contains(&passphrase) && !log.contains(&api_key),
        "a credential reached the log"
    );
}

fn ciphertext_moved_to_another_row_does_not_decrypt(server: &Server) {
    let ana = Account::register(&server.client(), "ana");
    let bob = Account::register(&server.client(), "bob");
    let ana_key = store(server, &ana, &binance_key(binance::SECRET_KEY))["id"].as_str().unwrap().to_string();
    let ana_other = store(server, &ana, &binance_key("another-secret-of-ana"))["id"].as_str().unwrap().to_string();
    let bob_key = store(server, &bob, &binance_key("bobs-own-secret-000"))["id"].as_str().unwrap().to_string();
    // Bob's row and Ana's second row get Ana's first ciphertext, as an attacker with write
    // access to the database (but not the master key) might try.
    let copy = |to: &str| {
        format!(
            "UPDATE api_keys SET sealed = (SELECT sealed FROM api_keys WHERE id = '{ana_key}'), \
             key_id = (SELECT key_id FROM api_keys WHERE id = '{ana_key}') WHERE id = '{to}'"
        )
    };
    server.d1_execute(&format!("{}; {}", copy(&bob_key), copy(&ana_other)));
    for (account, id) in [(&bob, &bob_key), (&ana, &ana_other)] {
        let reply = server
            .client()
            .with_token(&account.access_token)
            .post_json(&format!("/api/api-keys/{id}/test"), &json!({}));
        assert_eq!(reply.status, 409, "{}", reply.body);
        assert_eq!(reply.error_code(), "key_unreadable");
    }
    let reply =
        server.client().with_token(&ana.access_token).post_json(&format!("/api/api-keys/{ana_key}/test"), &json!({}));
    assert_eq!(reply.json()["ok"], true, "the original still opens: {}", reply.body);
}
