//! Static assets: the dashboard is served from the same origin as the API.

use auronex_e2e::Server;

pub const TESTS: &[crate::Test] = &[
    ("assets::dashboard_index_is_served", dashboard_index_is_served),
    ("assets::deep_links_get_the_single_page_app", deep_links_get_the_single_page_app),
    ("assets::the_dashboard_is_served_with_security_headers", the_dashboard_is_served_with_security_headers),
];

fn dashboard_index_is_served(server: &Server) {
    let reply = server.client().get("/");
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").unwrap_or("").starts_with("text/html"));
    assert!(reply.body.contains("Auronex"), "{}", reply.body);
}

/// Client-side routes (e.g. a bot's page) load the app; only API paths answer JSON 404s.
fn deep_links_get_the_single_page_app(server: &Server) {
    let reply =
        server.client().send("GET", "/bots/123", None, &[("accept", "text/html"), ("sec-fetch-mode", "navigate")]);
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("<title>Auronex</title>"));
}

/// A page that may not be framed, runs only its own scripts, talks only to its own origin and
/// leaks no referrer: on the app itself, its deep links and its bundled assets.
fn the_dashboard_is_served_with_security_headers(server: &Server) {
    let navigate = [("accept", "text/html"), ("sec-fetch-mode", "navigate")];
    for path in ["/", "/bots/123"] {
        let reply = server.client().send("GET", path, None, &navigate);
        assert_eq!(reply.status, 200, "{path}");
        let csp = reply.header("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP"));
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {directive} missing from {csp}");
        }
        // 'wasm-unsafe-eval' (the strategy lab compiles its WebAssembly) allows no JavaScript eval.
        assert!(!csp.contains("'unsafe-inline'") && !csp.contains("'unsafe-eval'"), "{csp}");
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert_eq!(reply.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(reply.header("referrer-policy"), Some("no-referrer"), "{path}");
    }
    let index = server.client().get("/").body;
    let script = index.split("src=\"").nth(1).and_then(|rest| rest.split('"').next()).expect("a script in index.html");
    let asset = server.client().get(script);
    assert_eq!(asset.status, 200, "{script}");
    assert_eq!(asset.header("x-content-type-options"), Some("nosniff"), "{script}");
}
