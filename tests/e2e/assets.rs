//! Static assets: the dashboard is served from the same origin as the API.

use auronex_e2e::Server;

pub const TESTS: &[crate::Test] = &[("assets::dashboard_index_is_served", dashboard_index_is_served)];

fn dashboard_index_is_served(server: &Server) {
    let reply = server.client().get("/");
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").unwrap_or("").starts_with("text/html"));
    assert!(reply.body.contains("Auronex"), "{}", reply.body);
}
