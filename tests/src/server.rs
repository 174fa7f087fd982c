//! One `wrangler dev` process for a test run, isolated in its own temporary state directory.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tempfile::TempDir;

pub struct Server {
    child: Child,
    pub base_url: String,
    pub port: u16,
    log_path: PathBuf,
    persist: PathBuf,
    test_writes: Mutex<()>,
    _state: Option<TempDir>,
}

/// Vars every test server gets; secrets are test-only values, never real ones.
const TEST_VARS: &[(&str, &str)] = &[
    ("JWT_SECRET", crate::JWT_SECRET),
    ("ENCRYPTION_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
    ("ADMIN_EMAIL", crate::ADMIN_EMAIL),
    ("ADMIN_PASSWORD", crate::ADMIN_PASSWORD),
    // Small copier shards, so every copier test also crosses shard boundaries.
    ("COPIER_SHARD_SIZE", "2"),
    ("ALLOWED_ORIGINS", "https://app.example.com,https://admin.example.com"),
];

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

fn wrangler(root: &Path) -> Command {
    let bin = root.join("node_modules/.bin");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new(bin.join("wrangler"));
    command
        .current_dir(root)
        .env("PATH", path)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("NO_UPDATE_NOTIFIER", "1")
        .env("CI", "true");
    command
}

impl Server {
    /// Starts a fresh server with `extra_vars` on top of the test defaults (a var given in both
    /// takes the `extra_vars` value).
    pub fn start(extra_vars: &[(&str, &str)]) -> Server {
        let state = tempfile::Builder::new().prefix("auronex-e2e-").tempdir().expect("temp dir");
        let dir = state.path().to_path_buf();
        Server::launch(&dir, Some(state), None, extra_vars)
    }

    /// Starts a server on the state kept in `dir` (created when missing), which outlives it:
    /// a second server started on the same `dir` sees the first one's data (restarts, key
    /// rotation).
    pub fn start_in(dir: &Path, extra_vars: &[(&str, &str)]) -> Server {
        Server::launch(dir, None, None, extra_vars)
    }

    /// [`Server::start_in`] on a given port: a restart that clients find at the same address.
    pub fn start_in_at(dir: &Path, port: u16, extra_vars: &[(&str, &str)]) -> Server {
        Server::launch(dir, None, Some(port), extra_vars)
    }

    fn launch(dir: &Path, owned: Option<TempDir>, port: Option<u16>, extra_vars: &[(&str, &str)]) -> Server {
        let root = workspace_root();
        assert!(root.join("worker/build/index.js").exists(), "the worker is not built: run `make build` first");
        let persist = dir.join("state");

        let migrate = wrangler(&root)
            .args(["d1", "migrations", "apply", "DB", "--local", "--persist-to"])
            .arg(&persist)
            .stdin(Stdio::null())
            .output()
            .expect("run wrangler d1 migrations apply");
        assert!(
            migrate.status.success(),
            "migrations failed:\n{}\n{}",
            String::from_utf8_lossy(&migrate.stdout),
            String::from_utf8_lossy(&migrate.stderr)
        );

        let port = port.unwrap_or_else(free_port);
        let log_path = dir.join(format!("wrangler-{port}.log"));
        let log = File::create(&log_path).expect("create log");
        let mut command = wrangler(&root);
        command
            .args(["dev", "--local", "--ip", "127.0.0.1", "--test-scheduled"])
            .args(["--show-interactive-dev-session=false", "--log-level", "log"])
            .args(["--port", &port.to_string()])
            .args(["--inspector-port", &free_port().to_string()])
            .arg("--persist-to")
            .arg(&persist);
        let defaults = TEST_VARS.iter().filter(|(key, _)| !extra_vars.iter().any(|(extra, _)| extra == key));
        for (key, value) in defaults.chain(extra_vars) {
            command.args(["--var", &format!("{key}:{value}")]);
        }
        use std::os::unix::process::CommandExt;
        command.process_group(0).stdin(Stdio::null()).stdout(log.try_clone().expect("clone log")).stderr(log);
        let child = command.spawn().expect("spawn wrangler dev");
        let base_url = format!("http://127.0.0.1:{port}");
        let mut server =
            Server { child, base_url, port, log_path, persist, test_writes: Mutex::new(()), _state: owned };
        server.wait_until_healthy(Duration::from_secs(120));
        server
    }

    /// The `--persist-to` directory: wrangler's local state, the D1 SQLite files included.
    pub fn persist_dir(&self) -> &Path {
        &self.persist
    }

    /// The rows of a single query on this server's local D1, read in-process (see `d1.rs`).
    pub fn d1_rows(&self, sql: &str) -> Vec<serde_json::Value> {
        crate::d1::query(&self.persist, sql)
    }

    fn wait_until_healthy(&mut self, limit: Duration) {
        let client = crate::Client::new(&self.base_url);
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("wrangler dev exited with {status}:\n{}", self.log());
            }
            if client.try_get("/health").is_some_and(|reply| reply.status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("wrangler dev did not become healthy in {limit:?}:\n{}", self.log());
    }

    pub fn client(&self) -> crate::Client {
        crate::Client::new(&self.base_url)
    }

    pub fn ws_url(&self, path_and_query: &str) -> String {
        format!("ws://127.0.0.1:{}{}", self.port, path_and_query)
    }

    /// Runs SQL for its effect on this server's local D1 (e.g. to age cached rows in a test).
    /// The server is paused (SIGSTOP to its process group) while the test holds the file's write
    /// lock: workerd does not wait for a lock (it answers SQLITE_BUSY at once, a 500), and in
    /// production nothing but the Worker ever writes its database. When the pause caught the
    /// server inside a write of its own, it resumes and the test tries again.
    pub fn d1_execute(&self, sql: &str) {
        let _one_writer = self.test_writes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let applied = {
                let _paused = Paused::new(self.child.id());
                crate::d1::try_execute(&self.persist, sql)
            };
            if applied {
                return;
            }
            assert!(Instant::now() < deadline, "the local D1 stayed locked for 20 s: {sql}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Everything the server printed so far (requests log one JSON line each).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Waits until a log line satisfies `predicate`, returning it; `None` after `limit`.
    pub fn wait_for_log_line(&self, limit: Duration, predicate: impl Fn(&str) -> bool) -> Option<String> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(line) = self.log().lines().find(|line| predicate(line)) {
                return Some(line.to_string());
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// The server's workerd processes stopped until dropped (a panic in between still resumes them).
/// Only workerd, the process that writes the database, and by `kill(2)`: stopping wrangler's node
/// process (this process's child) or running a `kill` command would send this process SIGCHLDs,
/// and a blocking socket call here once failed with EINTR while the whole group was paused.
struct Paused {
    pids: Vec<u32>,
}

impl Paused {
    fn new(group_leader: u32) -> Paused {
        let paused = Paused { pids: workerd_pids(group_leader) };
        assert!(!paused.pids.is_empty(), "no workerd process in the server's group");
        // Signalled directly, not through a `kill` child: a child's exit is a SIGCHLD here too.
        for &pid in &paused.pids {
            assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGSTOP) }, 0, "could not pause workerd {pid}");
        }
        // A signal is delivered, not obeyed on the spot: wait until each process shows stopped.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !paused.pids.iter().all(|pid| process_state(*pid).is_none_or(|state| "TtZX".contains(state))) {
            assert!(Instant::now() < deadline, "the server did not stop within 5 s");
            std::thread::yield_now();
        }
        paused
    }
}

/// `(comm, state, pgrp)` of a process, from `/proc/<pid>/stat`.
fn stat_of(pid: u32) -> Option<(String, char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split at its last ')'.
    let (head, rest) = stat.rsplit_once(") ")?;
    let comm = head.split_once(" (")?.1.to_string();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    Some((comm, fields.first()?.chars().next()?, fields.get(2)?.parse().ok()?))
}

fn process_state(pid: u32) -> Option<char> {
    stat_of(pid).map(|(_, state, _)| state)
}

/// The workerd processes in process group `group`.
fn workerd_pids(group: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| stat_of(*pid).is_some_and(|(comm, _, pgrp)| pgrp == group && comm == "workerd"))
        .collect()
}

impl Drop for Paused {
    fn drop(&mut self) {
        for &pid in &self.pids {
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGCONT) };
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}
