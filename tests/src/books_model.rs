//! A model of a user's paper books, kept by a test from what it did and from the trades the
//! API listed, and the comparisons of every money figure the API shows against it (pure: no
//! I/O; `tests/e2e/books.rs` drives the Worker and feeds this).
//!
//! Per currency the books are: start balance + realised P&L of closed trades, minus what open
//! positions and running bots hold. Figures are compared exactly as decimals: the Worker writes
//! each amount as the JSON number of a decimal of at most 8 places, whose shortest text is read
//! back into a `Decimal` (as `auronex_core::num` reads it), and the model adds up the API's own
//! per-trade values, which are already rounded. Combined totals must be conversions, never
//! a plain sum of USDT and BRL: each is recomputed from the rates its `conversion` names.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value;

pub const DAY_MS: i64 = 86_400_000;

/// A JSON number (or numeric string) as the exact decimal of its shortest text.
pub fn dec(value: &Value) -> Option<Decimal> {
    if let Some(n) = value.as_i64() {
        return Some(Decimal::from(n));
    }
    if let Some(n) = value.as_u64() {
        return Some(Decimal::from(n));
    }
    let text = match value {
        Value::Number(n) => n.as_f64()?.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    Decimal::from_str(&text).ok().or_else(|| Decimal::from_scientific(&text).ok()).map(|d| d.normalize())
}

/// Rounded to the ledger's 8 places, half to even (as `Money::to_ledger`).
pub fn ledger(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(8, RoundingStrategy::MidpointNearestEven).normalize()
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month)` of the UTC day `ms` falls in.
pub fn year_month(ms: i64) -> (i64, u32) {
    let z = ms.div_euclid(DAY_MS) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32)
}

/// Milliseconds of an RFC 3339 UTC time as the Worker writes them (`2026-05-01T12:34:56.789Z`).
pub fn parse_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let n = |from: usize, to: usize| text.get(from..to)?.parse::<i64>().ok();
    let days = days_from_civil(n(0, 4)?, n(5, 7)?, n(8, 10)?);
    let secs = n(11, 13)? * 3600 + n(14, 16)? * 60 + n(17, 19)?;
    let millis = match text.get(19..text.len() - 1) {
        Some("") => 0,
        Some(fraction) if fraction.starts_with('.') => {
            let digits = &fraction[1..];
            let padded: String = digits.chars().chain(std::iter::repeat('0')).take(3).collect();
            padded.parse::<i64>().ok()?
        }
        _ => return None,
    };
    Some((days * 86_400 + secs) * 1000 + millis)
}

/// One trade as the API listed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    pub id: String,
    pub bot_id: String,
    /// The trade number after `{bot_id}:`.
    pub no: u64,
    pub symbol: String,
    pub currency: String,
    pub open: bool,
    pub entry_price: Decimal,
    pub quantity: Decimal,
    pub cost: Decimal,
    pub fees: Decimal,
    pub pnl: Option<Decimal>,
    pub entry_ms: i64,
    pub exit_ms: Option<i64>,
    pub exit_price: Option<Decimal>,
    pub exit_reason: Option<String>,
    /// The whole item, to prove a closed trade never changes.
    pub raw: Value,
}

impl Trade {
    pub fn from_view(item: &Value) -> Result<Trade, String> {
        let text = |key: &str| item[key].as_str().map(str::to_string).ok_or_else(|| format!("no {key} in {item}"));
        let number = |key: &str| dec(&item[key]).ok_or_else(|| format!("{key} is not a number in {item}"));
        let id = text("id")?;
        let bot_id = text("bot_id")?;
        let no = id
            .strip_prefix(&format!("{bot_id}:"))
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| format!("trade id {id} is not `{{bot_id}}:{{n}}`"))?;
        let status = text("status")?;
        let open = match status.as_str() {
            "open" => true,
            "closed" => false,
            other => return Err(format!("status {other} in {item}")),
        };
        let entry_ms = parse_ms(&text("entry_time")?).ok_or_else(|| format!("entry_time in {item}"))?;
        let exit_ms = match &item["exit_time"] {
            Value::Null => None,
            Value::String(s) => Some(parse_ms(s).ok_or_else(|| format!("exit_time in {item}"))?),
            _ => return Err(format!("exit_time in {item}")),
        };
        let pnl = if item["profit_loss"].is_null() { None } else { Some(number("profit_loss")?) };
        let trade = Trade {
            symbol: text("symbol")?,
            currency: text("quote_currency")?,
            open,
            entry_price: number("entry_price")?,
            quantity: number("quantity")?,
            cost: number("cost")?,
            fees: number("fees")?,
            pnl,
            entry_ms,
            exit_ms,
            exit_price: if item["exit_price"].is_null() { None } else { Some(number("exit_price")?) },
            exit_reason: item["exit_reason"].as_str().map(str::to_string),
            raw: item.clone(),
            id,
            bot_id,
            no,
        };
        if open != trade.pnl.is_none() || open != trade.exit_ms.is_none() || open != trade.exit_reason.is_none() {
            return Err(format!("an {status} trade has exit fields {}: {item}", if open { "set" } else { "missing" }));
        }
        if !trade.symbol.ends_with(&format!("/{}", trade.currency)) {
            return Err(format!("{} is not quoted in {}: {item}", trade.symbol, trade.currency));
        }
        Ok(trade)
    }

    /// What may not change once the trade exists (open or closed).
    pub fn entry_fields(&self) -> (&str, &str, &str, Decimal, Decimal, Decimal, i64) {
        (&self.bot_id, &self.symbol, &self.currency, self.entry_price, self.quantity, self.cost, self.entry_ms)
    }
}

/// One currency's figures, from a set of trades.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub trades: u64,
    pub open_trades: u64,
    pub closed_trades: u64,
    pub wins: u64,
    pub losses: u64,
    pub gross_profit: Decimal,
    pub gross_loss: Decimal,
    pub net: Decimal,
    /// Fees of closed trades.
    pub fees: Decimal,
    /// Fees of every trade (entry fees of open ones included).
    pub all_fees: Decimal,
    pub open_cost: Decimal,
    /// Every max drawdown the closes allow, over any order of closes in the same millisecond.
    pub drawdowns: BTreeSet<Decimal>,
    pub entered_since: u64,
    pub realised_since: Decimal,
}

impl Figures {
    pub fn win_rate(&self) -> Decimal {
        win_rate(self.wins, self.closed_trades)
    }

    pub fn profit_factor(&self) -> Option<Decimal> {
        profit_factor(self.gross_profit, self.gross_loss)
    }

    pub fn expectancy(&self) -> Option<Decimal> {
        (self.closed_trades > 0).then(|| (self.net / Decimal::from(self.closed_trades)).round_dp(8))
    }
}

pub fn win_rate(wins: u64, closed: u64) -> Decimal {
    match closed {
        0 => Decimal::ZERO,
        n => (Decimal::from(wins) * Decimal::ONE_HUNDRED / Decimal::from(n)).round_dp(2),
    }
}

pub fn profit_factor(gross_profit: Decimal, gross_loss: Decimal) -> Option<Decimal> {
    (gross_loss > Decimal::ZERO).then(|| (gross_profit / gross_loss).round_dp(4))
}

/// Figures per currency of `trades`; `since_ms` bounds "today" (entered / closed since then).
pub fn figures<'a>(trades: impl IntoIterator<Item = &'a Trade>, since_ms: i64) -> BTreeMap<String, Figures> {
    let mut out: BTreeMap<String, Figures> = BTreeMap::new();
    let mut closes: BTreeMap<String, Vec<(i64, Decimal)>> = BTreeMap::new();
    for trade in trades {
        let f = out.entry(trade.currency.clone()).or_default();
        f.trades += 1;
        f.all_fees += trade.fees;
        if trade.entry_ms >= since_ms {
            f.entered_since += 1;
        }
        match (trade.open, trade.pnl) {
            (true, _) | (false, None) => {
                f.open_trades += 1;
                f.open_cost += trade.cost;
            }
            (false, Some(pnl)) => {
                f.closed_trades += 1;
                if pnl > Decimal::ZERO {
                    f.wins += 1;
                    f.gross_profit += pnl;
                } else {
                    f.losses += 1;
                    f.gross_loss -= pnl;
                }
                f.net += pnl;
                f.fees += trade.fees;
                let exit = trade.exit_ms.unwrap_or(0);
                if exit >= since_ms {
                    f.realised_since += pnl;
                }
                closes.entry(trade.currency.clone()).or_default().push((exit, pnl));
            }
        }
    }
    for (currency, f) in out.iter_mut() {
        f.drawdowns = drawdowns(closes.remove(currency).unwrap_or_default());
    }
    out
}

/// The max drawdowns (largest fall of cumulative P&L from its peak, the peak starting at 0)
/// that `closes` can have in exit order, over every order of the closes of one millisecond.
pub fn drawdowns(mut closes: Vec<(i64, Decimal)>) -> BTreeSet<Decimal> {
    closes.sort_by_key(|(ms, _)| *ms);
    // (cum, peak, max drawdown) after each group of same-millisecond closes.
    let mut states: BTreeSet<(Decimal, Decimal, Decimal)> = [(Decimal::ZERO, Decimal::ZERO, Decimal::ZERO)].into();
    let mut index = 0;
    while index < closes.len() {
        let end = (index..closes.len()).find(|&j| closes[j].0 != closes[index].0).unwrap_or(closes.len());
        let group: Vec<Decimal> = closes[index..end].iter().map(|(_, pnl)| *pnl).collect();
        let orders = permutations(&group);
        let mut next = BTreeSet::new();
        for (cum, peak, dd) in &states {
            for order in &orders {
                let (mut cum, mut peak, mut dd) = (*cum, *peak, *dd);
                for pnl in order {
                    cum += pnl;
                    peak = peak.max(cum);
                    dd = dd.max(peak - cum);
                }
                next.insert((cum, peak, dd));
            }
        }
        states = next;
        index = end;
    }
    states.into_iter().map(|(_, _, dd)| dd.normalize()).collect()
}

fn permutations(items: &[Decimal]) -> Vec<Vec<Decimal>> {
    if items.len() <= 1 || items.len() > 6 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// A bot as the model knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bot {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub symbols: Vec<String>,
    pub capital: Decimal,
    pub active: bool,
    pub created_at: String,
    /// No run since it was created or edited: its first run opens on every symbol.
    pub fresh: bool,
}

/// One currency's wallet as the spec defines it.
#[derive(Debug, Clone, PartialEq)]
pub struct Wallet {
    pub currency: String,
    pub start_balance: Decimal,
    pub realised_pnl: Decimal,
    pub total: Decimal,
    pub allocated: Decimal,
    pub in_positions: Decimal,
    pub available: Decimal,
    /// Cost of open trades whose bot is not running.
    pub held_by_stopped: Decimal,
}

/// The wallets (USDT and BRL always, and any other currency traded) from the start balances,
/// the trades and the live bots; `except_bot`'s own reservation left out.
pub fn wallets(
    starts: &BTreeMap<String, Decimal>,
    trades: &BTreeMap<String, Trade>,
    bots: &[Bot],
    except_bot: Option<&str>,
) -> BTreeMap<String, Wallet> {
    let mut out: BTreeMap<String, Wallet> = BTreeMap::new();
    let entry = |currency: &str| -> Wallet {
        let start = starts.get(currency).copied().unwrap_or(Decimal::ZERO);
        Wallet {
            currency: currency.to_string(),
            start_balance: start,
            realised_pnl: Decimal::ZERO,
            total: start,
            allocated: Decimal::ZERO,
            in_positions: Decimal::ZERO,
            available: Decimal::ZERO,
            held_by_stopped: Decimal::ZERO,
        }
    };
    for code in ["USDT", "BRL"] {
        out.insert(code.to_string(), entry(code));
    }
    let running: BTreeSet<&str> = bots.iter().filter(|b| b.active).map(|b| b.id.as_str()).collect();
    for trade in trades.values() {
        let wallet = out.entry(trade.currency.clone()).or_insert_with(|| entry(&trade.currency));
        match trade.pnl {
            Some(pnl) if !trade.open => wallet.realised_pnl += pnl,
            _ => {
                wallet.in_positions += trade.cost;
                if !running.contains(trade.bot_id.as_str()) {
                    wallet.held_by_stopped += trade.cost;
                }
            }
        }
    }
    for bot in bots.iter().filter(|b| b.active && Some(b.id.as_str()) != except_bot) {
        let wallet = out.entry(bot.currency.clone()).or_insert_with(|| entry(&bot.currency));
        wallet.allocated += bot.capital;
    }
    for wallet in out.values_mut() {
        wallet.total = wallet.start_balance + wallet.realised_pnl;
        wallet.available = (wallet.total - wallet.allocated - wallet.held_by_stopped).max(Decimal::ZERO);
    }
    out
}

/// Collects what disagrees with the model, each as one line naming the endpoint and field.
#[derive(Debug, Default)]
pub struct Checker {
    pub failures: Vec<String>,
}

impl Checker {
    pub fn fail(&mut self, message: impl Into<String>) {
        self.failures.push(message.into());
    }

    pub fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.failures.push(message());
        }
    }

    /// `got` is exactly the number `want`.
    pub fn dec(&mut self, what: &str, got: &Value, want: Decimal) {
        match dec(got) {
            Some(value) if value == want.normalize() => {}
            _ => self.fail(format!("{what}: got {got}, model {}", want.normalize())),
        }
    }

    /// `got` is `null` exactly when `want` is `None`, else the number.
    pub fn opt_dec(&mut self, what: &str, got: &Value, want: Option<Decimal>) {
        match want {
            Some(want) => self.dec(what, got, want),
            None => self.check(got.is_null(), || format!("{what}: got {got}, model null")),
        }
    }

    /// `got` is `want` or, when `want` is several values, any of them.
    pub fn dec_in(&mut self, what: &str, got: &Value, want: &BTreeSet<Decimal>) {
        match dec(got) {
            Some(value) if want.contains(&value) => {}
            _ => self.fail(format!("{what}: got {got}, model {want:?}")),
        }
    }

    pub fn count(&mut self, what: &str, got: &Value, want: u64) {
        self.check(got.as_u64() == Some(want), || format!("{what}: got {got}, model {want}"));
    }

    /// A combined total in `target` (`USD` or `BRL`) of the per-currency `parts`: it must be
    /// their conversion at the rates `conversion` names (each part converted and rounded to 8
    /// places, then added), and `conversion` must name each rate a non-zero part needed.
    pub fn converted(&mut self, what: &str, got: &Value, parts: &[(&str, Decimal)], conversion: &Value, target: &str) {
        let Some(expected) = self.conversion_of(what, parts, conversion, target) else { return };
        let plain: Decimal = parts.iter().map(|(_, amount)| *amount).sum();
        match dec(got) {
            // Each part is rounded once; allow the last place per part.
            Some(value) if (value - expected).abs() <= Decimal::new(parts.len() as i64, 8) => {}
            Some(value) if value == plain && plain != expected => self.fail(format!(
                "{what}: got {got}, the plain sum of {parts:?}; converted at {conversion} it is {expected}"
            )),
            _ => self.fail(format!("{what}: got {got}, model {expected} ({parts:?} at {conversion})")),
        }
    }

    /// The conversion of `parts` into `target` at the rates of `conversion`, checking that it
    /// names the rates used; `None` (and a failure) when a needed rate is not named.
    pub fn conversion_of(
        &mut self,
        what: &str,
        parts: &[(&str, Decimal)],
        conversion: &Value,
        target: &str,
    ) -> Option<Decimal> {
        if !conversion.is_object() {
            self.fail(format!("{what}: no `conversion` object beside a combined total (got {conversion})"));
            return None;
        }
        self.check(conversion["currency"] == target, || {
            format!("{what}: conversion.currency is {}, expected {target}", conversion["currency"])
        });
        let missing = conversion["missing"].as_array().map(Vec::len);
        self.check(missing == Some(0), || format!("{what}: conversion.missing should be [] (got {conversion})"));
        let rate = |pair: &str| -> Option<(Decimal, &Value)> {
            let rates = conversion["rates"].as_array()?;
            let found = rates.iter().find(|r| r["pair"] == pair)?;
            Some((dec(&found["rate"])?, found))
        };
        let mut total = Decimal::ZERO;
        let dollar = |c: &str| matches!(c, "USDT" | "USDC" | "FDUSD");
        for (currency, amount) in parts {
            if amount.is_zero() || *currency == target {
                total += amount;
                continue;
            }
            let peg = format!("{currency}/USD");
            let converted = match (*currency, target) {
                (c, "USD") if dollar(c) => {
                    let (r, row) = self.named(what, rate(&peg), &peg, conversion)?;
                    self.peg_row(what, row, r);
                    ledger(*amount * r)
                }
                ("BRL", "USD") => {
                    let (r, row) = self.named(what, rate("USD/BRL"), "USD/BRL", conversion)?;
                    self.market_row(what, row);
                    ledger(*amount / r)
                }
                (c, "BRL") if dollar(c) => {
                    let (peg_rate, row) = self.named(what, rate(&peg), &peg, conversion)?;
                    self.peg_row(what, row, peg_rate);
                    let (r, row) = self.named(what, rate("USD/BRL"), "USD/BRL", conversion)?;
                    self.market_row(what, row);
                    ledger(*amount * peg_rate * r)
                }
                (c, t) => {
                    self.fail(format!("{what}: the model cannot convert {c} into {t}"));
                    return None;
                }
            };
            total += converted;
        }
        Some(total.normalize())
    }

    fn named<'v>(
        &mut self,
        what: &str,
        found: Option<(Decimal, &'v Value)>,
        pair: &str,
        conversion: &Value,
    ) -> Option<(Decimal, &'v Value)> {
        if found.is_none() {
            self.fail(format!("{what}: a non-zero amount needs {pair}, which conversion does not name: {conversion}"));
        }
        found
    }

    fn peg_row(&mut self, what: &str, row: &Value, rate: Decimal) {
        self.check(rate == Decimal::ONE && row["source"] == "peg" && row["as_of"].is_null(), || {
            format!("{what}: a dollar stablecoin is pegged 1:1 (source peg, as_of null): {row}")
        });
    }

    fn market_row(&mut self, what: &str, row: &Value) {
        let as_of = row["as_of"].as_str().and_then(parse_ms);
        self.check(row["source"] == "awesomeapi" && as_of.is_some(), || {
            format!("{what}: USD/BRL names its source (awesomeapi) and when it was quoted: {row}")
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn numbers_are_read_through_their_text() {
        assert_eq!(dec(&json!(0.1)), Some(d("0.1")));
        assert_eq!(dec(&json!(1000.12345678)), Some(d("1000.12345678")));
        assert_eq!(dec(&json!(-3)), Some(d("-3")));
        assert_eq!(dec(&json!(1e-8)), Some(d("0.00000001")));
        assert_eq!(dec(&json!("2.50")), Some(d("2.5")));
        assert_eq!(dec(&json!(null)), None);
    }

    #[test]
    fn times_parse_like_the_worker_writes_them() {
        assert_eq!(parse_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_ms("2026-12-01T00:00:01.250Z"), Some(1_796_083_201_250));
        assert_eq!(year_month(1_796_083_201_250), (2026, 12));
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(parse_ms("yesterday"), None);
    }

    #[test]
    fn drawdowns_cover_every_order_of_simultaneous_closes() {
        assert_eq!(drawdowns(vec![(1, d("5")), (2, d("-3"))]), [d("3")].into());
        // In a drawdown, +a then -b and -b then +a fall by different amounts.
        let set = drawdowns(vec![(1, d("-4")), (2, d("2")), (2, d("-3"))]);
        assert_eq!(set, [d("5"), d("7")].into());
        assert_eq!(drawdowns(vec![]), [Decimal::ZERO].into());
    }

    #[test]
    fn wallets_hold_running_capital_and_stopped_positions() {
        let starts: BTreeMap<String, Decimal> =
            [("USDT".to_string(), d("1000")), ("BRL".to_string(), d("5000"))].into();
        let bot = |id: &str, active: bool| Bot {
            id: id.into(),
            name: id.into(),
            currency: "USDT".into(),
            symbols: vec!["A/USDT".into()],
            capital: d("300"),
            active,
            created_at: String::new(),
            fresh: false,
        };
        let trade = |id: &str, bot: &str, cost: &str, pnl: Option<&str>| {
            let mut raw = json!({"id": format!("{bot}:{id}"), "bot_id": bot, "symbol": "A/USDT", "quote_currency": "USDT",
                "status": if pnl.is_some() { "closed" } else { "open" }, "entry_price": 10, "quantity": 1,
                "cost": d(cost).to_string().parse::<f64>().unwrap(), "fees": 0.01, "entry_time": "2026-01-01T00:00:00.000Z",
                "exit_time": null, "exit_price": null, "exit_reason": null, "profit_loss": null});
            if let Some(pnl) = pnl {
                raw["profit_loss"] = json!(pnl.parse::<f64>().unwrap());
                raw["exit_time"] = json!("2026-01-01T00:01:00.000Z");
                raw["exit_price"] = json!(11);
                raw["exit_reason"] = json!("take_profit");
            }
            let t = Trade::from_view(&raw).unwrap();
            (t.id.clone(), t)
        };
        let trades: BTreeMap<String, Trade> =
            [trade("1", "a", "40", None), trade("2", "a", "10", Some("2.5")), trade("1", "b", "60", None)].into();
        let all = wallets(&starts, &trades, &[bot("a", true), bot("b", false)], None);
        let usdt = &all["USDT"];
        assert_eq!((usdt.total, usdt.allocated, usdt.in_positions), (d("1002.5"), d("300"), d("100")));
        assert_eq!(usdt.available, d("642.5"), "1002.5 - 300 running - 60 held by a stopped bot");
        assert_eq!(all["BRL"].available, d("5000"));
        let f = figures(trades.values(), 0);
        assert_eq!((f["USDT"].trades, f["USDT"].open_trades, f["USDT"].wins), (3, 2, 1));
    }

    #[test]
    fn a_combined_total_is_a_conversion_never_a_plain_sum() {
        let conversion = json!({"currency": "USD", "missing": [], "rates": [
            {"pair": "USD/BRL", "rate": 5, "source": "awesomeapi", "as_of": "2026-01-01T00:00:00.000Z"},
            {"pair": "USDT/USD", "rate": 1, "source": "peg", "as_of": null}]});
        let parts = [("USDT", d("0.027")), ("BRL", d("12.47"))];
        let mut checker = Checker::default();
        checker.converted("ok", &json!(2.521), &parts, &conversion, "USD");
        assert!(checker.failures.is_empty(), "{:?}", checker.failures);
        checker.converted("plain", &json!(12.497), &parts, &conversion, "USD");
        assert!(checker.failures[0].contains("plain sum"), "{:?}", checker.failures);
        let only_peg = json!({"currency": "USD", "missing": [], "rates": [{"pair": "USDT/USD", "rate": 1, "source": "peg", "as_of": null}]});
        let mut checker = Checker::default();
        checker.converted("unnamed", &json!(2.521), &parts, &only_peg, "USD");
        assert!(checker.failures[0].contains("USD/BRL"), "{:?}", checker.failures);
        let mut checker = Checker::default();
        checker.converted(
            "brl",
            &json!(12.605),
            &parts,
            &{
                let mut c = conversion.clone();
                c["currency"] = json!("BRL");
                c
            },
            "BRL",
        );
        assert!(checker.failures.is_empty(), "{:?}", checker.failures);
    }
}
