//! AwesomeAPI's `GET /json/last/USD-BRL` over a simulated dollar-real rate that drifts
//! slowly around its base, in AwesomeAPI's format (strings, Brasília local `create_date`).

use serde_json::json;

use super::query::Reply;

/// The simulated mid rate at `now_ms`: the base, moving ±0.5% over a six-hour cycle.
pub fn usd_brl_rate(base: f64, now_ms: i64) -> f64 {
    let cycle = (now_ms % 21_600_000) as f64 / 21_600_000.0;
    base * (1.0 + 0.005 * (cycle * std::f64::consts::TAU).sin())
}

pub fn last(pairs: &str, base: f64, now_ms: i64) -> Reply {
    if pairs != "USD-BRL" {
        return Reply {
            status: 404,
            body: json!({"status": 404, "code": "CoinNotExists", "message": format!("moeda nao encontrada {pairs}")}),
            retry_after: None,
        };
    }
    let mid = usd_brl_rate(base, now_ms);
    let open = usd_brl_rate(base, now_ms - 86_400_000);
    let bid = mid - 0.0005;
    let ask = mid + 0.0005;
    Reply::ok(json!({
        "USDBRL": {
            "code": "USD",
            "codein": "BRL",
            "name": "Dólar Americano/Real Brasileiro",
            "high": format!("{:.4}", mid.max(open) * 1.002),
            "low": format!("{:.4}", mid.min(open) * 0.998),
            "varBid": format!("{:.4}", bid - open),
            "pctChange": format!("{:.2}", (bid - open) / open * 100.0),
            "bid": format!("{bid:.4}"),
            "ask": format!("{ask:.4}"),
            "timestamp": (now_ms / 1000).to_string(),
            "create_date": brasilia_time(now_ms),
        }
    }))
}

/// `YYYY-MM-DD HH:MM:SS` in Brasília time (UTC-3, no daylight saving since 2019).
fn brasilia_time(now_ms: i64) -> String {
    let secs = now_ms / 1000 - 3 * 3600;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_awesomeapi() {
        let reply = last("USD-BRL", 5.4, 1_618_317_283_000);
        let quote = &reply.body["USDBRL"];
        assert_eq!(quote["timestamp"], "1618317283");
        assert_eq!(quote["create_date"], "2021-04-13 09:34:43");
        let bid: f64 = quote["bid"].as_str().unwrap().parse().unwrap();
        let ask: f64 = quote["ask"].as_str().unwrap().parse().unwrap();
        assert!(ask > bid && (bid - 5.4).abs() < 0.1);
        assert_eq!(last("EUR-BRL", 5.4, 0).status, 404);
    }
}
