//! `GET /health`: status, version and a real D1 round trip.

use auronex_e2e::Server;

pub const TESTS: &[crate::Test] = &[
    ("health::answers_ok_after_a_db_query", answers_ok_after_a_db_query),
    ("health::trailing_slash_is_optional", trailing_slash_is_optional),
    ("health::head_has_no_body", head_has_no_body),
];

fn answers_ok_after_a_db_query(server: &Server) {
    let reply = server.client().get("/health");
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["db"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(reply.header("content-type").unwrap().starts_with("application/json"));
}

fn trailing_slash_is_optional(server: &Server) {
    assert_eq!(server.client().get("/health/").status, 200);
}

fn head_has_no_body(server: &Server) {
    let reply = server.client().send("HEAD", "/health", None, &[]);
    assert_eq!(reply.status, 200);
    assert!(reply.body.is_empty());
}
