//! Account helpers for tests: unique emails, registering and logging in, and signing tokens
//! with the test server's key (to build expired or tampered ones).

use std::sync::atomic::{AtomicU32, Ordering};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::Client;

pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef0123456789abcdef";
pub const ADMIN_EMAIL: &str = "boss@auronex.test";
pub const ADMIN_PASSWORD: &str = "bootstrap-admin-passphrase";

static NEXT: AtomicU32 = AtomicU32::new(0);

pub fn unique_email(tag: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{tag}.{}.{n}.{nanos}@example.com", std::process::id())
}

/// A registered user with the session the registration opened.
pub struct Account {
    pub email: String,
    pub password: String,
    pub user: Value,
    pub access_token: String,
    pub refresh_token: String,
}

impl Account {
    pub fn register(client: &Client, tag: &str) -> Account {
        let email = unique_email(tag);
        let password = format!("pw-{email}");
        let reply = client.post_json("/api/auth/register", &json!({"email": email, "password": password}));
        assert_eq!(reply.status, 201, "register: {}", reply.body);
        let body = reply.json();
        Account {
            email,
            password,
            user: body["user"].clone(),
            access_token: body["access_token"].as_str().unwrap().to_string(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_string(),
        }
    }

    pub fn id(&self) -> &str {
        self.user["id"].as_str().unwrap()
    }
}

/// An HS256 JWT over `header` and `claims`, signed with `secret`.
pub fn sign_token(secret: &str, header: &Value, claims: &Value) -> String {
    let signing_input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signing_input.as_bytes());
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// An access token for the bootstrap admin (the first login creates the account).
pub fn admin_token(client: &Client) -> String {
    let reply = client.post_json("/api/auth/login", &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}));
    assert_eq!(reply.status, 200, "bootstrap admin login: {}", reply.body);
    reply.json()["access_token"].as_str().unwrap().to_string()
}
