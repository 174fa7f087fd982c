//! The simulator's HTTP server (tiny_http on 127.0.0.1): routes Binance's and AwesomeAPI's
//! paths to their handlers, counts every upstream-style request, applies injected faults,
//! and serves the `/__sim/*` control endpoints.

use std::io::Read;
use std::sync::Arc;

use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, Server};

use super::query::{Query, Reply};
use super::state::{Fault, Script, Sim};
use super::{awesome, binance};

pub fn serve(server: Server, sim: Sim, threads: usize) {
    let server = Arc::new(server);
    let sim = Arc::new(sim);
    let workers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            let (server, sim) = (Arc::clone(&server), Arc::clone(&sim));
            std::thread::spawn(move || {
                for request in server.incoming_requests() {
                    handle(&sim, request);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
}

fn handle(sim: &Sim, mut request: Request) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let reply = if let Some(control) = path.strip_prefix("/__sim/") {
        let mut body = String::new();
        let _ = request.as_reader().take(1 << 20).read_to_string(&mut body);
        control_reply(sim, request.method(), control, &body)
    } else {
        sim.count(path, query);
        match sim.take_fault(path, query) {
            Some(fault) => {
                std::thread::sleep(std::time::Duration::from_millis(fault.delay_ms));
                if let Some(raw) = fault.body {
                    let _ = request.respond(Response::from_string(raw).with_status_code(fault.status));
                    return;
                }
                fault_reply(fault.status, fault.retry_after)
            }
            None => route(sim, request.method(), path, &Query::parse(query)),
        }
    };
    let _ = request.respond(to_response(reply));
}

fn route(sim: &Sim, method: &Method, path: &str, query: &Query) -> Reply {
    if *method != Method::Get && *method != Method::Head {
        return Reply { status: 405, body: json!({"code": -1000, "msg": "method not allowed"}), retry_after: None };
    }
    let now = sim.clock.now();
    if let Some(pairs) = path.strip_prefix("/json/last/") {
        return awesome::last(pairs, sim.usd_brl_base, now);
    }
    sim.with_tracks(|tracks| match path {
        "/api/v3/ping" => Reply::ok(json!({})),
        "/api/v3/time" => Reply::ok(json!({"serverTime": now})),
        "/api/v3/exchangeInfo" => binance::exchange_info(tracks, query, now),
        "/api/v3/klines" => binance::klines(tracks, query, now),
        "/api/v3/ticker/bookTicker" => binance::book_ticker(tracks, query, now),
        "/api/v3/ticker/price" => binance::price(tracks, query, now),
        "/api/v3/ticker/24hr" => binance::ticker_24hr(tracks, query, now),
        "/api/v3/depth" => binance::depth(tracks, query, now),
        _ => Reply { status: 404, body: json!({"code": -1000, "msg": "not found"}), retry_after: None },
    })
}

fn fault_reply(status: u16, retry_after: Option<u64>) -> Reply {
    let body = match status {
        429 | 418 => {
            json!({"code": -1003, "msg": "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API."})
        }
        _ => {
            json!({"code": -1008, "msg": "Server is currently overloaded with other requests. Please try again in a few minutes."})
        }
    };
    Reply { status, body, retry_after }
}

fn control_reply(sim: &Sim, method: &Method, path: &str, body: &str) -> Reply {
    let bad = |message: String| Reply { status: 400, body: json!({"error": message}), retry_after: None };
    match (method, path) {
        (Method::Get, "stats") => Reply::ok(sim.stats()),
        (Method::Post, "reset") => {
            sim.reset();
            Reply::ok(json!({"ok": true}))
        }
        (Method::Post, "script") => match serde_json::from_str::<Script>(body) {
            Ok(script) => match sim.load_script(script) {
                Ok(()) => Reply::ok(json!({"ok": true, "now": sim.clock.now()})),
                Err(message) => bad(message),
            },
            Err(error) => bad(error.to_string()),
        },
        (Method::Post, "fault") => match serde_json::from_str::<Fault>(body) {
            Ok(fault) => {
                sim.add_fault(fault);
                Reply::ok(json!({"ok": true}))
            }
            Err(error) => bad(error.to_string()),
        },
        _ => Reply { status: 404, body: Value::String("no such control".into()), retry_after: None },
    }
}

fn to_response(reply: Reply) -> Response<std::io::Cursor<Vec<u8>>> {
    let mut response = Response::from_data(reply.body.to_string().into_bytes()).with_status_code(reply.status);
    if let Ok(header) = Header::from_bytes("Content-Type", "application/json;charset=UTF-8") {
        response.add_header(header);
    }
    if let Some(seconds) = reply.retry_after {
        if let Ok(header) = Header::from_bytes("Retry-After", seconds.to_string()) {
            response.add_header(header);
        }
    }
    response
}
