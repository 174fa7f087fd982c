//! The scheduled handler: a fired cron trigger records a tick that `/health` then reports.

use std::time::{Duration, Instant};

use auronex_e2e::Server;

pub const TESTS: &[crate::Test] = &[("scheduled::cron_trigger_records_a_tick", cron_trigger_records_a_tick)];

fn cron_trigger_records_a_tick(server: &Server) {
    let client = server.client();
    let before = client.get("/health").json()["last_tick_at"].clone();
    let fired = client.get("/__scheduled?cron=*+*+*+*+*");
    assert_eq!(fired.status, 200, "{}", fired.body);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = client.get("/health").json()["last_tick_at"].clone();
        if now.is_string() && now != before {
            assert!(now.as_str().unwrap().ends_with('Z'), "RFC 3339 UTC: {now}");
            return;
        }
        assert!(Instant::now() < deadline, "no tick recorded after firing the cron trigger");
        std::thread::sleep(Duration::from_millis(100));
    }
}
