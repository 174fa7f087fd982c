//! Login and signup throttling: every guess is counted (a parallel burst in full, read back from
//! D1), an attacker who knows an email cannot lock its owner out (the owner logs in from another
//! address while the attacker hammers, and a typo during an attack costs seconds), the attacker's
//! address gets 429 with `Retry-After`, and signups from one address are bounded so they cannot
//! be used to test which emails have accounts.

use std::time::Duration;

use auronex_e2e::{unique_email, Account, Client, Reply, Server};
use serde_json::json;

pub const TESTS: &[crate::Test] = &[
    ("throttle::a_parallel_burst_of_40_is_counted_40", a_parallel_burst_of_40_is_counted_40),
    ("throttle::the_owner_logs_in_while_an_attacker_hammers", the_owner_logs_in_while_an_attacker_hammers),
    ("throttle::a_typo_during_an_attack_costs_seconds", a_typo_during_an_attack_costs_seconds),
    ("throttle::an_address_spraying_many_emails_is_stopped", an_address_spraying_many_emails_is_stopped),
    ("throttle::copier_token_follows_the_same_rules", copier_token_follows_the_same_rules),
    ("throttle::signups_from_one_address_are_bounded", signups_from_one_address_are_bounded),
];

fn login(client: &Client, email: &str, password: &str) -> Reply {
    client.post_json("/api/auth/login", &json!({"email": email, "password": password}))
}

fn token(client: &Client, email: &str, password: &str) -> Reply {
    client.post_json("/token", &json!({"username": email, "password": password}))
}

/// A client that shares `address` (`CF-Connecting-IP`).
fn from(server: &Server, address: &str) -> Client {
    let mut client = server.client();
    client.address = address.to_string();
    client
}

fn retry_after(reply: &Reply) -> u64 {
    assert_eq!((reply.status, reply.error_code()), (429, "rate_limited".to_string()), "{}", reply.body);
    reply.header("retry-after").expect("Retry-After").parse().unwrap()
}

/// `key -> attempts` of the counter rows, straight from D1.
fn attempts(server: &Server, keys: &[String]) -> Vec<(String, i64)> {
    let list = keys.iter().map(|key| format!("'{}'", key.replace('\'', "''"))).collect::<Vec<_>>().join(", ");
    let rows = server.d1_rows(&format!("SELECT key, attempts FROM login_attempts WHERE key IN ({list}) ORDER BY key"));
    rows.iter().map(|row| (row["key"].as_str().unwrap().to_string(), row["attempts"].as_i64().unwrap())).collect()
}

fn pair_key(email: &str, address: &str) -> String {
    format!("pair:{}:{address}:{email}", address.len())
}

fn a_parallel_burst_of_40_is_counted_40(server: &Server) {
    let account = Account::register(&server.client(), "burst");
    let address = server.client().address;
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let guesses: Vec<_> = (0..40)
            .map(|n| {
                let client = from(server, &address);
                let email = account.email.clone();
                scope.spawn(move || login(&client, &email, &format!("wrong-guess-{n}")).status)
            })
            .collect();
        guesses.into_iter().map(|guess| guess.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| matches!(s, 401 | 429)), "{statuses:?}");
    let checked = statuses.iter().filter(|&&s| s == 401).count();
    // Five free failures; past them the burst waits (5 s after the previous attempt, doubling).
    assert_eq!(checked, 5, "{statuses:?}");
    let keys = [format!("email:{}", account.email), format!("ip:{address}"), pair_key(&account.email, &address)];
    let counted = attempts(server, &keys);
    assert_eq!(counted.len(), 3, "{counted:?}");
    for (key, n) in &counted {
        assert_eq!(*n, 40, "{key} counted {n} of 40 parallel guesses");
    }
    // The right password from the attacker's address waits too; from anywhere else it works.
    assert!(retry_after(&login(&from(server, &address), &account.email, &account.password)) >= 1);
    assert_eq!(login(&server.client(), &account.email, &account.password).status, 200);
}

fn the_owner_logs_in_while_an_attacker_hammers(server: &Server) {
    let account = Account::register(&server.client(), "hammered");
    let attacker = server.client();
    let (owner_login, owner_token, attacker_statuses) = std::thread::scope(|scope| {
        let hammer = scope.spawn(|| {
            (0..30).map(|n| login(&attacker, &account.email, &format!("guess-{n}")).status).collect::<Vec<_>>()
        });
        // Wait until the attacker is being refused, then log in from two other addresses.
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while attempts(server, &[pair_key(&account.email, &attacker.address)]).first().is_none_or(|(_, n)| *n < 8) {
            assert!(std::time::Instant::now() < deadline, "the attacker never got going");
            std::thread::sleep(Duration::from_millis(50));
        }
        let owner_login = login(&server.client(), &account.email, &account.password);
        let owner_token = token(&server.client(), &account.email, &account.password);
        (owner_login, owner_token, hammer.join().unwrap())
    });
    assert_eq!(owner_login.status, 200, "the owner, from another address: {}", owner_login.body);
    assert_eq!(owner_token.status, 200, "the owner's copier program: {}", owner_token.body);
    assert!(attacker_statuses[..5].iter().all(|&s| s == 401), "{attacker_statuses:?}");
    assert!(attacker_statuses[5..].iter().all(|&s| s == 429), "{attacker_statuses:?}");
    // The owner's success does not clear the attacker's count: the right password waits there.
    let wait = retry_after(&login(&attacker, &account.email, &account.password));
    assert!((60..=900).contains(&wait), "{wait}");
    assert_eq!(retry_after(&token(&attacker, &account.email, &account.password)), 900);
}

fn a_typo_during_an_attack_costs_seconds(server: &Server) {
    let account = Account::register(&server.client(), "typo");
    // Eleven wrong guesses from three addresses: the email is past its free failures.
    for n in 0..11 {
        let attacker = from(server, &format!("203.0.113.{}", 10 + n % 3));
        let status = login(&attacker, &account.email, "not-the-password").status;
        assert!(matches!(status, 401 | 429), "{status}");
    }
    let owner = server.client();
    assert_eq!(login(&owner, &account.email, "one-typo-here").status, 401);
    let wait = retry_after(&login(&owner, &account.email, &account.password));
    assert!((1..=60).contains(&wait), "a typo under attack waits at most a minute, not {wait} s");
    std::thread::sleep(Duration::from_millis(wait * 1000 + 300));
    let reply = login(&owner, &account.email, &account.password);
    assert_eq!(reply.status, 200, "after Retry-After: {}", reply.body);
}

fn an_address_spraying_many_emails_is_stopped(server: &Server) {
    let attacker = server.client();
    let mut statuses = Vec::new();
    for _ in 0..51 {
        statuses.push(login(&attacker, &unique_email("spray"), "guess-guess").status);
    }
    assert!(statuses[..50].iter().all(|&status| status == 401), "{statuses:?}");
    assert_eq!(statuses[50], 429, "the 51st try from one address waits");
    let victim = Account::register(&server.client(), "victim");
    assert_eq!(
        retry_after(&login(&attacker, &victim.email, &victim.password)),
        900,
        "the address waits for every email"
    );
    assert_eq!(login(&server.client(), &victim.email, &victim.password).status, 200, "other addresses do not");
}

fn copier_token_follows_the_same_rules(server: &Server) {
    let account = Account::register(&server.client(), "tokenlock");
    let attacker = server.client();
    for _ in 0..5 {
        assert_eq!(token(&attacker, &account.email, "wrong-password").status, 401);
    }
    assert!(retry_after(&token(&attacker, &account.email, "wrong-password")) >= 1);
    assert!(retry_after(&login(&attacker, &account.email, &account.password)) >= 1, "one count for both routes");
    let owner = token(&server.client(), &account.email, &account.password);
    assert_eq!(owner.status, 200, "the owner's program from its own address: {}", owner.body);
    assert!(owner.json()["access_token"].is_string());
}

fn signups_from_one_address_are_bounded(server: &Server) {
    let taken = Account::register(&server.client(), "taken");
    let prober = server.client();
    // Each answer that an email is taken counts five signups: ten of them use up the hour.
    for n in 0..10 {
        let (path, body) = if n % 2 == 0 {
            ("/api/auth/register", json!({"email": taken.email, "password": "probe-password"}))
        } else {
            ("/users/public", json!({"username": taken.email, "password": "probe-password"}))
        };
        let reply = prober.post_json(path, &body);
        assert_eq!((reply.status, reply.error_code()), (409, "email_taken".to_string()), "probe {n}");
    }
    let fresh = json!({"email": unique_email("afterprobe"), "password": "probe-password"});
    assert_eq!(retry_after(&prober.post_json("/api/auth/register", &fresh)), 3600, "new emails too: no answer");
    assert_eq!(retry_after(&prober.post_json("/users/public", &fresh)), 3600);
    assert_eq!(
        retry_after(&prober.post_json("/api/auth/register", &json!({"email": taken.email, "password": "x-password"}))),
        3600
    );
    assert_eq!(server.client().post_json("/api/auth/register", &fresh).status, 201, "another address signs up");
    // Bad input is refused before anything is counted.
    let invalid =
        from(server, &prober.address).post_json("/api/auth/register", &json!({"email": "nope", "password": "p"}));
    assert_eq!(invalid.status, 422);
}
