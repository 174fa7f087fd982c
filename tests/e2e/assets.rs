//! Static assets: the dashboard is served from the same origin as the API.

use auronex_e2e::Server;

pub const TESTS: &[crate::Test] = &[
    ("assets::dashboard_index_is_served", dashboard_index_is_served),
    ("assets::deep_links_get_the_single_page_app", deep_links_get_the_single_page_app),
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
