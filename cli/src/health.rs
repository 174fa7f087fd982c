//! `auronex health`: one GET /health, printed as the server answered it.

use serde_json::Value;

pub fn run(base_url: &str) -> Result<(), String> {
    let url = format!("{}/health", base_url.trim_end_matches('/'));
    let mut response = ureq::get(&url).call().map_err(|e| format!("{url}: {e}"))?;
    let body: Value = response.body_mut().read_json().map_err(|e| format!("{url}: {e}"))?;
    println!("{body}");
    if body["status"] == "ok" && body["db"] == "ok" {
        Ok(())
    } else {
        Err(format!("{url} is not healthy"))
    }
}
