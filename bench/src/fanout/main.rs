//! Fan-out latency of the copier: from the master's `POST /signal/broadcast` to each
//! follower's receipt, for 1, 100 and 1,000 followers, on local workerd (auth, Durable Object
//! room and shards, storage before broadcast, per-follower sizing) side by side with a minimal
//! in-process tokio broadcast relay (the seed's Axum design) and the floor worker (the least a
//! Durable Object can do on the same workerd), under the same load client.
//! A hostile follower (`hostile.rs`) is connected to the product's channel throughout, unless
//! `HOSTILE=0`.
//! `REPLAY=N` measures instead the product's followers quiet and during endless full replays
//! of an N-signal log by one more follower (`replay.rs`), side by side.
//! Usage: `fanout WORKER_URL FLOOR_URL [FOLLOWERS,...] [MESSAGES]`; prints Markdown tables.

mod hostile;
mod load;
mod relay;
mod replay;
mod setup;

use load::{percentile, Target};

fn raise_fd_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

fn ms(micros: u64) -> String {
    format!("{:.1}", micros as f64 / 1000.0)
}

#[tokio::main]
async fn main() {
    raise_fd_limit();
    let args: Vec<String> = std::env::args().collect();
    let worker = args.get(1).cloned().unwrap_or_else(|| "http://127.0.0.1:8787".into());
    let floor = args.get(2).cloned().expect("FLOOR_URL: the floor worker's base URL");
    let counts: Vec<usize> = args
        .get(3)
        .map(|list| list.split(',').map(|n| n.parse().expect("follower counts")).collect())
        .unwrap_or_else(|| vec![1, 100, 1000]);
    let messages: usize = args.get(4).map(|n| n.parse().expect("message count")).unwrap_or(20);
    let most = counts.iter().copied().max().unwrap_or(1);

    let relay_url = relay::start().await;
    eprintln!("relay at {relay_url}; preparing {most} follower accounts on {worker}");
    let channel = tokio::task::spawn_blocking(move || setup::channel(&worker, most)).await.expect("setup");
    if std::env::var("HOSTILE").as_deref() != Ok("0") {
        hostile::start(channel.hostile_url()).await;
    }

    if let Some(fill) = std::env::var("REPLAY").ok().and_then(|n| n.parse::<usize>().ok()) {
        return during_replays(&channel, &counts, messages, fill).await;
    }

    println!("| followers | target | p50 ms | p99 ms | max ms | samples |");
    println!("|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    for &count in &counts {
        let mut rows = Vec::new();
        for name in ["relay", "floor", "workerd"] {
            let target = match name {
                "relay" => Target::open(name, &relay_url, count),
                "floor" => Target::open(name, &floor, count),
                _ => channel.target(count),
            };
            let mut latencies = load::run(&target, messages, &format!("{name}{count}")).await;
            latencies.sort_unstable();
            let stats = [50.0, 99.0, 100.0].map(|p| percentile(&latencies, p));
            println!(
                "| {count} | {} | {} | {} | {} | {} |",
                target.name,
                ms(stats[0]),
                ms(stats[1]),
                ms(stats[2]),
                latencies.len()
            );
            rows.push(stats);
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        ratios.push((count, rows.iter().map(|row| row.map(|x| x as f64)).collect::<Vec<_>>()));
    }
    println!();
    println!("| followers | versus | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    for (count, rows) in ratios {
        for (reference, name) in [(0, "workerd / relay"), (1, "workerd / floor"), (0, "floor / relay")] {
            let ours = if name.starts_with("floor") { 1 } else { 2 };
            let ratio = |i: usize| format!("{:.1}x", rows[ours][i] / rows[reference][i].max(1.0));
            println!("| {count} | {name} | {} | {} | {} |", ratio(0), ratio(1), ratio(2));
        }
    }
}

async fn during_replays(channel: &setup::Channel, counts: &[usize], messages: usize, fill: usize) {
    let target = channel.target(1);
    let (url, token, id) =
        (target.post_url.clone(), target.master_token.clone().unwrap(), target.channel_id.clone().unwrap());
    let started = std::time::Instant::now();
    let head = tokio::task::spawn_blocking(move || replay::fill(&url, &token, &id, fill)).await.expect("fill");
    eprintln!("filled the log with {fill} signals (head {head}) in {:.1} s", started.elapsed().as_secs_f64());
    println!("| followers | while | p50 ms | p99 ms | max ms | samples | replays (messages/s) |");
    println!("|---|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    for &count in counts {
        let target = channel.target(count);
        let mut quiet = load::run(&target, messages, &format!("quiet{count}")).await;
        quiet.sort_unstable();
        let resumer = replay::Resumer::start(channel.resumer_url(), head).await;
        let mut busy = load::run(&target, messages, &format!("replaying{count}")).await;
        let (replays, received, took) = resumer.stop();
        busy.sort_unstable();
        let rate = format!("{replays} ({:.0})", received as f64 / took.as_secs_f64());
        for (name, latencies, rate) in [("quiet", &quiet, "-".to_string()), ("full replays", &busy, rate)] {
            let stats = [50.0, 99.0, 100.0].map(|p| percentile(latencies, p));
            println!(
                "| {count} | {name} | {} | {} | {} | {} | {rate} |",
                ms(stats[0]),
                ms(stats[1]),
                ms(stats[2]),
                latencies.len()
            );
        }
        ratios.push((
            count,
            [50.0, 99.0, 100.0].map(|p| percentile(&busy, p) as f64 / percentile(&quiet, p).max(1) as f64),
        ));
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    println!();
    println!("| followers | replaying / quiet p50 | p99 | max |");
    println!("|---|---|---|---|");
    for (count, ratio) in ratios {
        println!("| {count} | {:.1}x | {:.1}x | {:.1}x |", ratio[0], ratio[1], ratio[2]);
    }
}
