//! The test harness itself: a test that writes to the server's D1 file (to age a row or tamper
//! with one) never makes one of the server's own writes fail, so a 500 in any other test is the
//! product's and never the harness's.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use auronex_e2e::{Account, Server};
use serde_json::json;

pub const TESTS: &[crate::Test] = &[(
    "harness::a_tests_database_writes_never_fail_the_servers_own",
    a_tests_database_writes_never_fail_the_servers_own,
)];

/// Holds the write lock for tens of milliseconds (a counted recursion inside the transaction),
/// the way a slow disk would, so an unpaused server meets it on nearly every attempt.
const SLOW_TAMPER: &str = "UPDATE users SET updated_at = updated_at WHERE id = 'nobody';
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
    SELECT count(*) FROM n;";

fn a_tests_database_writes_never_fail_the_servers_own(server: &Server) {
    let accounts: Vec<Account> = (0..3).map(|_| Account::register(&server.client(), "lockstep")).collect();
    let (done, logins) = (AtomicBool::new(false), AtomicUsize::new(0));
    let statuses = std::thread::scope(|scope| {
        let writers: Vec<_> = accounts
            .iter()
            .map(|account| {
                let (done, logins) = (&done, &logins);
                scope.spawn(move || {
                    let mut statuses = Vec::new();
                    while !done.load(Ordering::Relaxed) {
                        // Every login writes: its throttle counters, a session and a refresh token.
                        let body = json!({"email": account.email, "password": account.password});
                        statuses.push(server.client().post_json("/api/auth/login", &body).status);
                        logins.fetch_add(1, Ordering::Relaxed);
                    }
                    statuses
                })
            })
            .collect();
        // The logins stop when this closure ends, by return or by panic.
        let _stop = StopOnDrop(&done);
        let (started, mut writes) = (Instant::now(), 0);
        // A loaded machine (the whole suite beside it) makes logins slow: bounded by time, and a
        // pause between writes so the server's own work goes on.
        while logins.load(Ordering::Relaxed) < 12 && started.elapsed() < Duration::from_secs(120) {
            server.d1_execute(SLOW_TAMPER);
            writes += 1;
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(writes >= 12, "the test wrote {writes} times");
        done.store(true, Ordering::Relaxed);
        writers.into_iter().flat_map(|writer| writer.join().unwrap()).collect::<Vec<u16>>()
    });
    assert!(statuses.len() >= 12, "only {} logins ran alongside the writes", statuses.len());
    let failed: Vec<&u16> = statuses.iter().filter(|status| **status != 200).collect();
    assert!(failed.is_empty(), "{} of {} logins failed while a test wrote: {failed:?}", failed.len(), statuses.len());
}

struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
