//! Login and signup throttling. Every login attempt is counted before the password is hashed,
//! in one atomic statement, under three keys: the client address, the email, and the
//! (email, address) pair; the statement answers what the counters held before this attempt,
//! and the pure policy below decides from that. Nobody is locked out by someone else:
//!
//! - an address that has not failed at this email is always let through to the password check
//!   (unless the address itself is over its limit: it only ever hurts itself);
//! - a pair that has failed waits after its own last attempt: nothing for its first
//!   [`PAIR_FREE`] failures, then 5 s doubling to [`PAIR_MAX_DELAY_MS`];
//! - the email's failures from every address add a delay of their own to every pair that has
//!   failed (1 s doubling past [`EMAIL_FREE`], but never more than [`EMAIL_MAX_DELAY_MS`]), so
//!   a guesser with many addresses is slowed without the owner waiting more than a minute
//!   after a typo;
//! - an address past [`ADDRESS_LIMIT`] attempts waits until it has been quiet for
//!   [`ADDRESS_FORGET_MS`].
//!
//! Refused attempts are counted too: a burst of guesses is counted in full.

use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::D1Database;

/// Attempts from one address (all emails) before it waits.
pub const ADDRESS_LIMIT: u32 = 50;
/// An address's count is forgotten this long after its last attempt.
pub const ADDRESS_FORGET_MS: i64 = 15 * 60_000;
/// A pair's failures that cost no wait.
pub const PAIR_FREE: u32 = 5;
pub const PAIR_FIRST_DELAY_MS: i64 = 5_000;
pub const PAIR_MAX_DELAY_MS: i64 = 15 * 60_000;
/// An email's failures (from every address) that cost no wait.
pub const EMAIL_FREE: u32 = 10;
pub const EMAIL_MAX_DELAY_MS: i64 = 60_000;
/// Email and pair counts are forgotten this long after their last attempt.
pub const FORGET_MS: i64 = 60 * 60_000;

/// Signups (created or refused as taken) from one address per [`SIGNUP_FORGET_MS`].
pub const SIGNUP_LIMIT: u32 = 50;
/// A signup that finds the email taken counts this much in all (it tells the caller something).
pub const TAKEN_WEIGHT: u32 = 5;
pub const SIGNUP_FORGET_MS: i64 = 60 * 60_000;

/// A counter as it was before the attempt being decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Before {
    /// Attempts counted and not forgotten (successes are given back).
    pub attempts: u32,
    /// The last of them, or 0.
    pub last_at_ms: i64,
}

/// What one login attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Found {
    pub address: Option<Before>,
    pub email: Before,
    pub pair: Before,
}

fn doubling(first_ms: i64, over: u32, max_ms: i64) -> i64 {
    first_ms.checked_shl(over.min(40)).unwrap_or(i64::MAX).min(max_ms)
}

/// How long a pair with `pair` failures, at an email with `email` failures, waits after its
/// last attempt.
pub fn pair_wait_ms(pair: u32, email: u32) -> i64 {
    if pair == 0 {
        return 0;
    }
    let own = if pair < PAIR_FREE { 0 } else { doubling(PAIR_FIRST_DELAY_MS, pair - PAIR_FREE, PAIR_MAX_DELAY_MS) };
    let shared = if email < EMAIL_FREE { 0 } else { doubling(1_000, email - EMAIL_FREE, EMAIL_MAX_DELAY_MS) };
    own.max(shared)
}

fn seconds(ms: i64) -> u64 {
    (ms.max(1) as u64).div_ceil(1000)
}

/// `None` to check the password, or the `Retry-After` seconds to answer with instead. After a
/// refusal the counters hold one attempt more, timed now: the wait is counted from now.
pub fn decide(found: &Found, now_ms: i64) -> Option<u64> {
    let address_wait = found.address.filter(|before| before.attempts >= ADDRESS_LIMIT).map(|_| ADDRESS_FORGET_MS);
    let pair_wait = {
        let waited = now_ms - found.pair.last_at_ms;
        (waited < pair_wait_ms(found.pair.attempts, found.email.attempts))
            .then(|| pair_wait_ms(found.pair.attempts + 1, found.email.attempts + 1))
    };
    address_wait.into_iter().chain(pair_wait).max().map(seconds)
}

pub fn email_key(email: &str) -> String {
    format!("email:{email}")
}

pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// The address's length comes first, so no email can make two pairs share a key.
pub fn pair_key(email: &str, address: Option<&str>) -> String {
    let address = address.unwrap_or("");
    format!("pair:{}:{address}:{email}", address.len())
}

pub fn signup_key(address: &str) -> String {
    format!("signup:{address}")
}

#[derive(Deserialize)]
struct Row {
    key: String,
    attempts: u32,
    previous_at_ms: i64,
}

/// Counts one attempt under each `(key, forget_ms)` in one statement, and answers what each
/// counter held before it (forgotten counters start over).
async fn count(
    db: &D1Database,
    keys: &[(&str, i64)],
    weight: u32,
    now_ms: i64,
) -> worker::Result<Vec<(String, Before)>> {
    let mut values = Vec::new();
    let mut bound: Vec<JsValue> = vec![(now_ms as f64).into(), weight.into()];
    for (key, forget_ms) in keys {
        let at = bound.len();
        values.push(format!("(?{}, ?2, ?1, 0, ?{})", at + 1, at + 2));
        bound.push(JsValue::from_str(key));
        bound.push((*forget_ms as f64).into());
    }
    let forgotten = "excluded.last_at_ms - login_attempts.last_at_ms >= excluded.forget_ms";
    let rows = db
        .prepare(format!(
            "INSERT INTO login_attempts (key, attempts, last_at_ms, previous_at_ms, forget_ms) VALUES {}
             ON CONFLICT (key) DO UPDATE SET
               attempts = CASE WHEN {forgotten} THEN excluded.attempts ELSE login_attempts.attempts + excluded.attempts END,
               previous_at_ms = CASE WHEN {forgotten} THEN 0 ELSE login_attempts.last_at_ms END,
               last_at_ms = MAX(login_attempts.last_at_ms, excluded.last_at_ms),
               forget_ms = excluded.forget_ms
             RETURNING key, attempts, previous_at_ms",
            values.join(", ")
        ))
        .bind(&bound)?
        .all()
        .await?
        .results::<Row>()?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let before = Before { attempts: row.attempts.saturating_sub(weight), last_at_ms: row.previous_at_ms };
            (row.key, before)
        })
        .collect())
}

/// The keys of one login attempt.
pub struct Login {
    pub email: String,
    pub address: Option<String>,
    pub pair: String,
}

impl Login {
    pub fn new(email: &str, address: Option<&str>) -> Login {
        Login { email: email_key(email), address: address.map(address_key), pair: pair_key(email, address) }
    }

    /// Counts this attempt (before any password work) and answers what the counters held.
    pub async fn count(&self, db: &D1Database, now_ms: i64) -> worker::Result<Found> {
        let mut keys = vec![(self.email.as_str(), FORGET_MS), (self.pair.as_str(), FORGET_MS)];
        keys.extend(self.address.as_deref().map(|key| (key, ADDRESS_FORGET_MS)));
        let rows = count(db, &keys, 1, now_ms).await?;
        let of = |key: &str| rows.iter().find(|(k, _)| k == key).map(|(_, before)| *before);
        Ok(Found {
            address: self.address.as_deref().and_then(of),
            email: of(&self.email).unwrap_or_default(),
            pair: of(&self.pair).unwrap_or_default(),
        })
    }

    /// The password was right: the pair starts over, and the attempt is taken back from the
    /// email and the address (others' failures at this email stay counted). Counters nobody
    /// touched for longer than they are kept are removed on the way.
    pub async fn succeeded(&self, db: &D1Database, now_ms: i64) -> worker::Result<()> {
        let mut keys = vec![JsValue::from_str(&self.email)];
        keys.extend(self.address.as_deref().map(JsValue::from_str));
        let placeholders = vec!["?"; keys.len()].join(", ");
        db.batch(vec![
            db.prepare("DELETE FROM login_attempts WHERE key = ?1").bind(&[self.pair.as_str().into()])?,
            db.prepare(format!(
                "UPDATE login_attempts SET attempts = MAX(attempts - 1, 0) WHERE key IN ({placeholders})"
            ))
            .bind(&keys)?,
            db.prepare("DELETE FROM login_attempts WHERE last_at_ms < ?1")
                .bind(&[((now_ms - FORGET_MS.max(SIGNUP_FORGET_MS).max(ADDRESS_FORGET_MS)) as f64).into()])?,
        ])
        .await?;
        Ok(())
    }
}

/// Counts a signup from `address` (`weight` 1 on the way in, [`TAKEN_WEIGHT`] − 1 more when
/// the email turned out taken); the `Retry-After` seconds when the address is over its limit.
pub async fn count_signup(db: &D1Database, address: &str, weight: u32, now_ms: i64) -> worker::Result<Option<u64>> {
    let key = signup_key(address);
    let rows = count(db, &[(key.as_str(), SIGNUP_FORGET_MS)], weight, now_ms).await?;
    let before = rows.first().map(|(_, before)| *before).unwrap_or_default();
    Ok((before.attempts >= SIGNUP_LIMIT).then(|| seconds(SIGNUP_FORGET_MS)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn found(pair: u32, pair_last: i64, email: u32) -> Found {
        Found {
            address: Some(Before { attempts: pair, last_at_ms: pair_last }),
            email: Before { attempts: email, last_at_ms: pair_last },
            pair: Before { attempts: pair, last_at_ms: pair_last },
        }
    }

    #[test]
    fn a_pair_that_never_failed_is_always_checked() {
        // However many failures the email has from elsewhere.
        for email in [0, 10, 1_000, u32::MAX - 1] {
            let fresh = Found {
                address: Some(Before::default()),
                email: Before { attempts: email, last_at_ms: NOW },
                pair: Before::default(),
            };
            assert_eq!(decide(&fresh, NOW), None, "{email}");
        }
    }

    #[test]
    fn a_pair_gets_its_free_failures_then_doubling_waits() {
        for pair in 1..PAIR_FREE {
            assert_eq!(decide(&found(pair, NOW, pair), NOW), None, "{pair}");
        }
        assert_eq!(pair_wait_ms(PAIR_FREE, 0), 5_000);
        assert_eq!(pair_wait_ms(PAIR_FREE + 1, 0), 10_000);
        assert_eq!(pair_wait_ms(PAIR_FREE + 7, 0), 640_000);
        assert_eq!(pair_wait_ms(PAIR_FREE + 8, 0), PAIR_MAX_DELAY_MS);
        assert_eq!(pair_wait_ms(u32::MAX, 0), PAIR_MAX_DELAY_MS);
        // Refused at once after the fifth failure; the answer names the wait after this one.
        assert_eq!(decide(&found(PAIR_FREE, NOW, PAIR_FREE), NOW), Some(10));
        // Let through once the wait after its last attempt is over.
        assert_eq!(decide(&found(PAIR_FREE, NOW - 5_000, PAIR_FREE), NOW), None);
        assert_eq!(decide(&found(PAIR_FREE + 3, NOW - 39_999, PAIR_FREE + 3), NOW), Some(80));
    }

    #[test]
    fn the_email_count_delays_failed_pairs_by_a_minute_at_most() {
        // One failure of its own, but the email is under attack.
        assert_eq!(pair_wait_ms(1, EMAIL_FREE - 1), 0);
        assert_eq!(pair_wait_ms(1, EMAIL_FREE), 1_000);
        assert_eq!(pair_wait_ms(1, EMAIL_FREE + 5), 32_000);
        assert_eq!(pair_wait_ms(1, u32::MAX), EMAIL_MAX_DELAY_MS);
        assert_eq!(decide(&found(1, NOW - EMAIL_MAX_DELAY_MS, 1_000_000), NOW), None);
    }

    #[test]
    fn an_address_over_its_limit_waits_for_quiet() {
        let mut over = Found::default();
        over.address = Some(Before { attempts: ADDRESS_LIMIT, last_at_ms: NOW });
        assert_eq!(decide(&over, NOW), Some(900));
        over.address = Some(Before { attempts: ADDRESS_LIMIT - 1, last_at_ms: NOW });
        assert_eq!(decide(&over, NOW), None);
    }

    #[test]
    fn keys_are_namespaced_and_pairs_unambiguous() {
        assert_eq!(email_key("a@b.co"), "email:a@b.co");
        assert_eq!(address_key("203.0.113.9"), "ip:203.0.113.9");
        assert_eq!(pair_key("a@b.co", Some("203.0.113.9")), "pair:11:203.0.113.9:a@b.co");
        assert_ne!(pair_key("x:a@b.co", Some("1")), pair_key("a@b.co", Some("1:x")));
        assert_eq!(signup_key("203.0.113.9"), "signup:203.0.113.9");
    }
}
