//! Tokens: tampered, foreign-key, `alg: none`, expired and malformed access tokens; refresh
//! rotation and reuse detection; logout.

use auronex_e2e::{sign_token, Account, Server, JWT_SECRET};
use serde_json::json;

pub const TESTS: &[crate::Test] = &[
    ("tokens::forged_and_expired_access_tokens_are_401", forged_and_expired_access_tokens_are_401),
    ("tokens::refresh_rotates_and_works_once", refresh_rotates_and_works_once),
    ("tokens::refresh_reuse_revokes_the_whole_session", refresh_reuse_revokes_the_whole_session),
    ("tokens::logout_revokes_refresh_and_access", logout_revokes_refresh_and_access),
    ("tokens::other_sessions_survive_a_logout", other_sessions_survive_a_logout),
];

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn forged_and_expired_access_tokens_are_401(server: &Server) {
    let account = Account::register(&server.client(), "forge");
    let claims = claims_of(&account.access_token);
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let mut admin_claims = claims.clone();
    admin_claims["role"] = json!("admin");
    let mut expired = claims.clone();
    expired["iat"] = json!(now() - 3600);
    expired["exp"] = json!(now() - 1800);
    let mut other_session = claims.clone();
    other_session["sid"] = json!("no-such-session");
    let mut no_exp = claims.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    let valid_but_tampered = {
        let mut parts: Vec<&str> = account.access_token.split('.').collect();
        let forged_payload = sign_token(JWT_SECRET, &hs256, &admin_claims);
        let forged_payload = forged_payload.split('.').nth(1).unwrap().to_string();
        parts[1] = Box::leak(forged_payload.into_boxed_str());
        parts.join(".")
    };
    use base64::Engine;
    let none_token = format!(
        "{}.{}.",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let cases = [
        ("tampered payload", valid_but_tampered),
        ("another key", sign_token("another-secret-another-secret-another", &hs256, &claims)),
        ("alg none", none_token),
        ("expired", sign_token(JWT_SECRET, &hs256, &expired)),
        ("unknown session", sign_token(JWT_SECRET, &hs256, &other_session)),
        ("no exp", sign_token(JWT_SECRET, &hs256, &no_exp)),
        ("HS512", sign_token(JWT_SECRET, &json!({"alg": "HS512"}), &claims)),
        ("garbage", "not.a.jwt".to_string()),
        ("empty parts", "..".to_string()),
    ];
    for (name, token) in cases {
        let reply = server.client().with_token(&token).get("/api/auth/me");
        assert_eq!(reply.status, 401, "{name}: {}", reply.body);
        assert_eq!(reply.error_code(), "unauthorized", "{name}");
    }
    let fresh = sign_token(JWT_SECRET, &hs256, &claims);
    assert_eq!(
        server.client().with_token(&fresh).get("/api/auth/me").status,
        200,
        "control: a correctly signed token works"
    );
}

fn refresh(server: &Server, token: &str) -> auronex_e2e::Reply {
    server.client().post_json("/api/auth/refresh/", &json!({"refresh_token": token}))
}

fn refresh_rotates_and_works_once(server: &Server) {
    let account = Account::register(&server.client(), "rotate");
    let first = refresh(server, &account.refresh_token);
    assert_eq!(first.status, 200, "{}", first.body);
    let body = first.json();
    let new_refresh = body["refresh_token"].as_str().unwrap();
    assert_ne!(new_refresh, account.refresh_token);
    assert_eq!(body["user"]["id"], account.id());
    assert_eq!(server.client().with_token(body["access_token"].as_str().unwrap()).get("/api/auth/me").status, 200);
    assert_eq!(refresh(server, new_refresh).status, 200, "the rotated token works once");
    let unknown = refresh(server, "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtbm90LWEtcmVhbC10b2tlbg");
    assert_eq!(unknown.status, 401);
}

fn refresh_reuse_revokes_the_whole_session(server: &Server) {
    let account = Account::register(&server.client(), "reuse");
    let rotated = refresh(server, &account.refresh_token).json();
    let child_refresh = rotated["refresh_token"].as_str().unwrap();
    let child_access = rotated["access_token"].as_str().unwrap();

    let replay = refresh(server, &account.refresh_token);
    assert_eq!(replay.status, 401, "a used refresh token is refused: {}", replay.body);
    assert_eq!(refresh(server, child_refresh).status, 401, "its descendants are revoked");
    assert_eq!(
        server.client().with_token(child_access).get("/api/auth/me").status,
        401,
        "and so are its access tokens"
    );
    assert_eq!(server.client().with_token(&account.access_token).get("/api/auth/me").status, 401);

    let login =
        server.client().post_json("/api/auth/login", &json!({"email": account.email, "password": account.password}));
    assert_eq!(login.status, 200, "the account itself is fine: a new login works");
}

fn logout_revokes_refresh_and_access(server: &Server) {
    let account = Account::register(&server.client(), "logout");
    let reply = server.client().post_json("/api/auth/logout/", &json!({"refresh_token": account.refresh_token}));
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert!(reply.body.is_empty());
    assert_eq!(refresh(server, &account.refresh_token).status, 401);
    assert_eq!(server.client().with_token(&account.access_token).get("/api/auth/me").status, 401);
    let again = server.client().post_json("/api/auth/logout", &json!({"refresh_token": account.refresh_token}));
    assert_eq!(again.status, 204, "logout is idempotent");
}

fn other_sessions_survive_a_logout(server: &Server) {
    let account = Account::register(&server.client(), "twodevices");
    let other = server
        .client()
        .post_json("/api/auth/login", &json!({"email": account.email, "password": account.password}))
        .json();
    server.client().post_json("/api/auth/logout", &json!({"refresh_token": account.refresh_token}));
    let other_access = other["access_token"].as_str().unwrap();
    assert_eq!(server.client().with_token(other_access).get("/api/auth/me").status, 200);
    assert_eq!(refresh(server, other["refresh_token"].as_str().unwrap()).status, 200);
}
