//! Accounts: registration, login, validation and bad bodies, the copier-compatible endpoints,
//! and the bootstrap admin.

use auronex_e2e::{unique_email, Account, Server, ADMIN_EMAIL, ADMIN_PASSWORD};
use serde_json::json;

pub const TESTS: &[crate::Test] = &[
    ("accounts::register_returns_user_and_tokens", register_returns_user_and_tokens),
    ("accounts::duplicate_email_is_409_case_insensitively", duplicate_email_is_409_case_insensitively),
    ("accounts::register_validates_each_field", register_validates_each_field),
    ("accounts::bad_bodies_are_4xx_json", bad_bodies_are_4xx_json),
    ("accounts::login_with_normalised_email", login_with_normalised_email),
    ("accounts::wrong_password_and_unknown_email_answer_alike", wrong_password_and_unknown_email_answer_alike),
    ("accounts::me_requires_a_token", me_requires_a_token),
    ("accounts::copier_token_accepts_form_and_json", copier_token_accepts_form_and_json),
    ("accounts::copier_public_signup", copier_public_signup),
    ("accounts::admin_only_user_creation", admin_only_user_creation),
    ("accounts::bootstrap_admin_exists_with_its_secret_password", bootstrap_admin_exists_with_its_secret_password),
    ("accounts::openapi_lists_the_routes", openapi_lists_the_routes),
    ("accounts::secrets_never_reach_the_log", secrets_never_reach_the_log),
];

fn register_returns_user_and_tokens(server: &Server) {
    let email = unique_email("Reg");
    let reply = server.client().post_json(
        "/api/auth/register",
        &json!({"email": format!("  {}  ", email.to_uppercase()), "password": "s3cret-pass", "first_name": " Ana ", "last_name": "Lima"}),
    );
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["access_token"].as_str().unwrap().split('.').count() == 3);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 43, "256 bits, base64url");
    let user = &body["user"];
    assert_eq!(user["email"], email.to_lowercase());
    assert_eq!((user["first_name"].as_str(), user["last_name"].as_str()), (Some("Ana"), Some("Lima")));
    assert_eq!((user["role"].as_str(), user["plan"].as_str()), (Some("client"), Some("free")));
    assert_eq!((user["is_staff"].as_bool(), user["is_superuser"].as_bool()), (Some(false), Some(false)));
    assert!(user["id"].is_string() && user["created_at"].as_str().unwrap().ends_with('Z'));
    for secret in ["password", "hash", "salt", "s3cret-pass"] {
        assert!(
            !reply.body.contains(secret) || secret == "password" && !reply.body.contains("\"password"),
            "{secret} leaked: {}",
            reply.body
        );
    }
}

fn duplicate_email_is_409_case_insensitively(server: &Server) {
    let account = Account::register(&server.client(), "dup");
    let reply = server
        .client()
        .post_json("/api/auth/register", &json!({"email": account.email.to_uppercase(), "password": "another-pass"}));
    assert_eq!(reply.status, 409, "{}", reply.body);
    assert_eq!(reply.error_code(), "email_taken");
    assert_eq!(reply.json()["error"]["field"], "email");
}

fn register_validates_each_field(server: &Server) {
    let client = server.client();
    let email = unique_email("val");
    let cases = [
        (json!({"email": email, "password": "short"}), "password"),
        (json!({"email": email, "password": "x".repeat(129)}), "password"),
        (json!({"email": "not-an-email", "password": "long-enough"}), "email"),
        (json!({"email": "a@b", "password": "long-enough"}), "email"),
        (json!({"password": "long-enough"}), "email"),
        (json!({"email": email}), "password"),
        (json!({"email": 42, "password": "long-enough"}), "email"),
        (json!({"email": email, "password": ["long-enough"]}), "password"),
        (json!({"email": email, "password": "long-enough", "first_name": "x".repeat(101)}), "first_name"),
        (json!({"email": email, "password": "long-enough", "last_name": 7}), "last_name"),
    ];
    for (body, field) in cases {
        let reply = client.post_json("/api/auth/register", &body);
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.error_code(), "validation_error");
        assert_eq!(reply.json()["error"]["field"], field, "{body}");
    }
    let reply = client.post_json("/api/auth/login", &json!({"email": email, "password": "long-enough"}));
    assert_eq!(reply.status, 401, "nothing was stored by the refused registrations");
}

fn bad_bodies_are_4xx_json(server: &Server) {
    let client = server.client();
    let json_type = [("content-type", "application/json")];
    let cases: Vec<(Vec<u8>, &[(&str, &str)], u16, &str)> = vec![
        (b"{\"email\": ".to_vec(), &json_type, 400, "malformed_json"),
        (b"".to_vec(), &json_type, 400, "empty_body"),
        (b"[1,2,3]".to_vec(), &json_type, 422, "validation_error"),
        (
            b"email=a&password=b".to_vec(),
            &[("content-type", "application/x-www-form-urlencoded")],
            415,
            "unsupported_media_type",
        ),
        (b"{}".to_vec(), &[], 415, "unsupported_media_type"),
        (
            format!("{{\"email\":\"{}\",\"password\":\"long-enough\"}}", "a".repeat(70_000)).into_bytes(),
            &json_type,
            413,
            "payload_too_large",
        ),
    ];
    for path in ["/api/auth/register", "/api/auth/login", "/api/auth/refresh", "/users/public"] {
        for (body, headers, status, code) in &cases {
            let reply = client.send("POST", path, Some(body.clone()), headers);
            assert_eq!(reply.status, *status, "{path} {code}: {}", reply.body);
            assert_eq!(reply.error_code(), *code, "{path}");
        }
    }
}

fn login_with_normalised_email(server: &Server) {
    let account = Account::register(&server.client(), "login");
    let reply = server.client().post_json(
        "/api/auth/login",
        &json!({"email": format!(" {} ", account.email.to_uppercase()), "password": account.password}),
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["user"]["id"], account.id());
    assert_ne!(body["refresh_token"], account.refresh_token.as_str(), "each login is its own session");
    let me = server.client().with_token(body["access_token"].as_str().unwrap()).get("/api/auth/me/");
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], account.email);
}

fn wrong_password_and_unknown_email_answer_alike(server: &Server) {
    let account = Account::register(&server.client(), "enum");
    let wrong =
        server.client().post_json("/api/auth/login", &json!({"email": account.email, "password": "wrong-password"}));
    let unknown = server
        .client()
        .post_json("/api/auth/login", &json!({"email": unique_email("nobody"), "password": "wrong-password"}));
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(wrong.body, unknown.body, "no user enumeration");
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer"));
}

fn me_requires_a_token(server: &Server) {
    let account = Account::register(&server.client(), "me");
    let me = server.client().with_token(&account.access_token).get("/api/auth/me");
    assert_eq!(me.status, 200);
    let body = me.json();
    for field in ["id", "email", "first_name", "last_name", "role", "is_staff", "is_superuser", "plan", "created_at"] {
        assert!(!body[field].is_null(), "me lacks {field}");
    }
    let missing = server.client().get("/api/auth/me");
    assert_eq!(missing.status, 401);
    assert_eq!(missing.error_code(), "unauthorized");
    let basic = server.client().send("GET", "/api/auth/me", None, &[("authorization", "Basic YTpi")]);
    assert_eq!(basic.status, 401);
}

fn copier_token_accepts_form_and_json(server: &Server) {
    let account = Account::register(&server.client(), "copier");
    let form =
        format!("username={}&password={}&grant_type=password", account.email.replace('@', "%40"), account.password);
    let reply = server.client().send(
        "POST",
        "/token",
        Some(form.into_bytes()),
        &[("content-type", "application/x-www-form-urlencoded")],
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["token_type"], "bearer");
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(server.client().with_token(token).get("/api/auth/me").status, 200);

    let reply = server.client().post_json("/token/", &json!({"username": account.email, "password": account.password}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = server.client().post_json("/token", &json!({"username": account.email, "password": "nope-nope"}));
    assert_eq!(reply.status, 401);
}

fn copier_public_signup(server: &Server) {
    let email = unique_email("public");
    let reply = server.client().post_json("/users/public", &json!({"username": email, "password": "copier-pass"}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["email"], email);
    assert_eq!(reply.json()["role"], "client");
    let again = server.client().post_json("/users/public", &json!({"email": email, "password": "copier-pass"}));
    assert_eq!(again.status, 409);
    let none = server.client().post_json("/users/public", &json!({"password": "copier-pass"}));
    assert_eq!((none.status, none.json()["error"]["field"].as_str()), (422, Some("email")));
}

fn admin_login(server: &Server) -> String {
    let reply =
        server.client().post_json("/api/auth/login", &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}));
    assert_eq!(reply.status, 200, "bootstrap admin login: {}", reply.body);
    reply.json()["access_token"].as_str().unwrap().to_string()
}

fn admin_only_user_creation(server: &Server) {
    let client_account = Account::register(&server.client(), "notadmin");
    let body = json!({"email": unique_email("staffer"), "password": "staff-pass", "role": "staff"});
    let refused = server.client().with_token(&client_account.access_token).post_json("/users/", &body);
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.error_code(), "forbidden");
    assert_eq!(server.client().post_json("/users/", &body).status, 401);

    let admin = server.client().with_token(&admin_login(server));
    let created = admin.post_json("/users/", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["role"], "staff");
    assert_eq!(created.json()["is_staff"], true);
    let bad_role =
        admin.post_json("/users", &json!({"email": unique_email("x"), "password": "long-enough", "role": "root"}));
    assert_eq!((bad_role.status, bad_role.json()["error"]["field"].as_str()), (422, Some("role")));
}

fn bootstrap_admin_exists_with_its_secret_password(server: &Server) {
    let token = admin_login(server);
    let me = server.client().with_token(&token).get("/api/auth/me").json();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!((me["role"].as_str(), me["is_superuser"].as_bool()), (Some("admin"), Some(true)));
    let wrong = server.client().post_json("/api/auth/login", &json!({"email": ADMIN_EMAIL, "password": "admin123"}));
    assert_eq!(wrong.status, 401, "no default password");
    let taken =
        server.client().post_json("/api/auth/register", &json!({"email": ADMIN_EMAIL, "password": "hijack-attempt"}));
    assert_eq!(taken.status, 409, "the admin email cannot be registered by someone else");
}

fn openapi_lists_the_routes(server: &Server) {
    let reply = server.client().get("/api/openapi.json");
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/health",
        "/api/auth/register",
        "/api/auth/login",
        "/api/auth/refresh",
        "/api/auth/logout",
        "/api/auth/me",
        "/token",
        "/users/public",
        "/users",
    ] {
        assert!(document["paths"][path].is_object(), "{path} missing");
    }
}

fn secrets_never_reach_the_log(server: &Server) {
    let client = server.client();
    let password = format!("Very-Distinct-Pass-{}", std::process::id());
    let email = unique_email("logs");
    let reply = client.post_json("/api/auth/register", &json!({"email": email, "password": password}));
    assert_eq!(reply.status, 201);
    let body = reply.json();
    let refresh_token = body["refresh_token"].as_str().unwrap().to_string();
    let access_token = body["access_token"].as_str().unwrap().to_string();
    let rotated = client.post_json("/api/auth/refresh", &json!({"refresh_token": refresh_token}));
    assert_eq!(rotated.status, 200);
    assert_eq!(client.post_json("/api/auth/login", &json!({"email": email, "password": "wrong-Distinct"})).status, 401);
    server
        .wait_for_log_line(std::time::Duration::from_secs(10), |line| line.contains("\"path\":\"/api/auth/login\""))
        .expect("the login was logged");
    let log = server.log();
    for secret in [password.as_str(), "wrong-Distinct", &refresh_token, &access_token] {
        assert!(!log.contains(secret), "a secret reached the log");
    }
    assert!(!log.contains("password_hash") && !log.contains("password_salt"));
}
