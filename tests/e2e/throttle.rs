//! Login throttling per email (case-insensitive) and per client address, with `Retry-After`.

use auronex_e2e::{unique_email, Account, Client, Server};
use serde_json::json;

pub const TESTS: &[crate::Test] = &[
    ("throttle::email_locks_after_five_failures", email_locks_after_five_failures),
    ("throttle::success_resets_the_email_counter", success_resets_the_email_counter),
    ("throttle::an_address_spraying_many_emails_is_locked", an_address_spraying_many_emails_is_locked),
    ("throttle::copier_token_shares_the_throttle", copier_token_shares_the_throttle),
];

fn login(client: &Client, email: &str, password: &str) -> auronex_e2e::Reply {
    client.post_json("/api/auth/login", &json!({"email": email, "password": password}))
}

fn email_locks_after_five_failures(server: &Server) {
    let account = Account::register(&server.client(), "lock");
    for attempt in 0..5 {
        // A different address each time: the email alone is what gets locked.
        let email = if attempt % 2 == 0 { account.email.to_uppercase() } else { account.email.clone() };
        assert_eq!(login(&server.client(), &email, "wrong-password").status, 401, "attempt {attempt}");
    }
    let locked = login(&server.client(), &account.email, &account.password);
    assert_eq!(locked.status, 429, "even the right password waits: {}", locked.body);
    assert_eq!(locked.error_code(), "rate_limited");
    let retry_after: u64 = locked.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let other = Account::register(&server.client(), "unlocked");
    assert_eq!(login(&server.client(), &other.email, &other.password).status, 200, "other emails are unaffected");
}

fn success_resets_the_email_counter(server: &Server) {
    let account = Account::register(&server.client(), "reset");
    for _ in 0..4 {
        assert_eq!(login(&server.client(), &account.email, "wrong-password").status, 401);
    }
    assert_eq!(login(&server.client(), &account.email, &account.password).status, 200);
    for _ in 0..4 {
        assert_eq!(login(&server.client(), &account.email, "wrong-password").status, 401, "the count started over");
    }
    assert_eq!(login(&server.client(), &account.email, &account.password).status, 200);
}

fn an_address_spraying_many_emails_is_locked(server: &Server) {
    let attacker = server.client();
    let mut statuses = Vec::new();
    for _ in 0..51 {
        statuses.push(login(&attacker, &unique_email("spray"), "guess-guess").status);
    }
    assert!(statuses[..50].iter().all(|&status| status == 401), "{statuses:?}");
    assert_eq!(statuses[50], 429, "the 51st try from one address waits");
    let victim = Account::register(&server.client(), "victim");
    assert_eq!(login(&attacker, &victim.email, &victim.password).status, 429, "the address is locked for every email");
    assert_eq!(login(&server.client(), &victim.email, &victim.password).status, 200, "other addresses are not");
}

fn copier_token_shares_the_throttle(server: &Server) {
    let account = Account::register(&server.client(), "tokenlock");
    for _ in 0..5 {
        let reply =
            server.client().post_json("/token", &json!({"username": account.email, "password": "wrong-password"}));
        assert_eq!(reply.status, 401);
    }
    assert_eq!(login(&server.client(), &account.email, &account.password).status, 429);
}
