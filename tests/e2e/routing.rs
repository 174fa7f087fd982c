//! Unknown routes, wrong methods and the per-request log line.

use std::time::Duration;

use auronex_e2e::Server;

pub const TESTS: &[crate::Test] = &[
    ("routing::unknown_api_route_is_404_json", unknown_api_route_is_404_json),
    ("routing::wrong_method_is_405_json_with_allow", wrong_method_is_405_json_with_allow),
    ("routing::each_request_logs_one_structured_line", each_request_logs_one_structured_line),
    ("routing::cors_only_for_allowed_origins", cors_only_for_allowed_origins),
];

fn unknown_api_route_is_404_json(server: &Server) {
    for path in ["/api/does-not-exist", "/api/", "/api/bots/1/2/3"] {
        let reply = server.client().get(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert_eq!(reply.error_code(), "not_found", "{path}");
    }
}

fn wrong_method_is_405_json_with_allow(server: &Server) {
    let reply = server.client().send("POST", "/health", Some(b"{}".to_vec()), &[("content-type", "application/json")]);
    assert_eq!(reply.status, 405, "{}", reply.body);
    assert_eq!(reply.error_code(), "method_not_allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
}

fn each_request_logs_one_structured_line(server: &Server) {
    let marker = "/health/?token=do-not-log-me";
    assert_eq!(server.client().get(marker).status, 200);
    let line = server
        .wait_for_log_line(Duration::from_secs(10), |line| {
            line.contains("\"event\":\"request\"") && line.contains("\"path\":\"/health/\"")
        })
        .expect("a request log line for /health/");
    let start = line.find('{').expect("JSON object in the line");
    let record: serde_json::Value = serde_json::from_str(&line[start..]).expect("the log line is JSON");
    assert_eq!(record["method"], "GET");
    assert_eq!(record["status"], 200);
    assert!(record["duration_ms"].is_u64());
    assert!(!server.log().contains("do-not-log-me"), "query strings must never be logged");
}

fn cors_only_for_allowed_origins(server: &Server) {
    let client = server.client();
    let allowed = [("origin", "https://app.example.com"), ("access-control-request-method", "POST")];
    let preflight = client.send("OPTIONS", "/api/auth/login/", None, &allowed);
    assert_eq!(preflight.status, 204, "{}", preflight.body);
    assert_eq!(preflight.header("access-control-allow-origin"), Some("https://app.example.com"));
    assert_eq!(preflight.header("access-control-allow-methods"), Some("POST"));
    assert!(preflight.header("access-control-allow-headers").unwrap().contains("authorization"));

    let evil = [("origin", "https://app.example.com.evil.io"), ("access-control-request-method", "POST")];
    let refused = client.send("OPTIONS", "/api/auth/login", None, &evil);
    assert_eq!(refused.status, 204);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    assert_eq!(refused.header("access-control-allow-methods"), None);

    let unknown = client.send("OPTIONS", "/api/nope", None, &allowed);
    assert_eq!(unknown.status, 404);

    let simple = client.send("GET", "/health", None, &[("origin", "https://admin.example.com")]);
    assert_eq!(simple.header("access-control-allow-origin"), Some("https://admin.example.com"));
    assert!(simple.header("vary").unwrap_or("").contains("Origin"));
    let other = client.send("GET", "/health", None, &[("origin", "https://else.example.com")]);
    assert_eq!(other.header("access-control-allow-origin"), None);
}
