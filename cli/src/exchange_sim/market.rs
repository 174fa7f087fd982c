//! The simulated markets: a clock (optionally sped up) and, per symbol, a price path that is
//! either replayed from recorded candles or scripted point by point. Everything the Binance
//! endpoints serve (prices, spreads, candles, 24h statistics) is derived from these paths.

use std::time::{SystemTime, UNIX_EPOCH};

use super::series::Series;

/// Real milliseconds since the Unix epoch.
pub fn wall_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// Simulated time: starts at the real time and runs `speed` times faster.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start_ms: i64,
    speed: f64,
}

impl Clock {
    pub fn new(speed: f64) -> Self {
        Self { start_ms: wall_ms(), speed }
    }

    pub fn now(&self) -> i64 {
        self.start_ms + ((wall_ms() - self.start_ms) as f64 * self.speed) as i64
    }
}

#[derive(Debug, Clone)]
pub enum PricePath {
    /// Recorded candles; the series offset is `sim_ms - anchor_ms`.
    Replay { series: Series, anchor_ms: i64 },
    /// Straight lines between `(sim_ms, price)` points, flat before the first and after the last.
    Scripted { points: Vec<(i64, f64)> },
}

/// One simulated market.
#[derive(Debug, Clone)]
pub struct Track {
    pub base: String,
    pub quote: String,
    pub path: PricePath,
}

/// Half the quoted spread, in basis points of the price (a liquid spot market).
const HALF_SPREAD_BPS: f64 = 0.5;

impl Track {
    /// Starts the replay 80% of the way into the recording, so history exists behind "now".
    pub fn replay(series: Series, now_ms: i64) -> Self {
        let anchor_ms = now_ms - series.span_ms() * 4 / 5;
        Self { base: series.base.clone(), quote: series.quote.clone(), path: PricePath::Replay { series, anchor_ms } }
    }

    pub fn symbol(&self) -> String {
        format!("{}{}", self.base, self.quote)
    }

    /// The last traded price at `at_ms`, on the tick grid.
    pub fn price(&self, at_ms: i64) -> f64 {
        let raw = self.raw_price(at_ms);
        let tick = tick_for(raw);
        (raw / tick).round() * tick
    }

    fn raw_price(&self, at_ms: i64) -> f64 {
        match &self.path {
            PricePath::Replay { series, anchor_ms } => series.price_at(at_ms - anchor_ms),
            PricePath::Scripted { points } => scripted_price(points, at_ms),
        }
    }

    /// The price increment for this market, from the size of its price.
    pub fn tick(&self, at_ms: i64) -> f64 {
        tick_for(self.raw_price(at_ms))
    }

    /// Best bid and ask around the price, on the tick grid, at least one tick apart.
    pub fn bid_ask(&self, at_ms: i64) -> (f64, f64) {
        let price = self.raw_price(at_ms);
        let tick = tick_for(price);
        let half = price * HALF_SPREAD_BPS / 10_000.0;
        let bid = ((price - half) / tick).floor() * tick;
        let ask = (((price + half) / tick).ceil() * tick).max(bid + tick);
        (bid, ask)
    }

    /// Instants in `[from, to]` where the path turns, with both ends.
    pub fn samples(&self, from: i64, to: i64) -> Vec<i64> {
        let mut times = vec![from];
        match &self.path {
            PricePath::Replay { series, anchor_ms } => {
                let step = series.vertex_ms();
                let mut t = from + (step - (from - anchor_ms).rem_euclid(step)) % step;
                while t < to {
                    if t > from {
                        times.push(t);
                    }
                    t += step;
                }
            }
            PricePath::Scripted { points } => {
                times.extend(points.iter().map(|(t, _)| *t).filter(|t| *t > from && *t < to));
            }
        }
        if to > from {
            times.push(to);
        }
        times
    }

    /// Base-asset volume traded in `[from, to)`; scripted paths trade one unit a minute.
    pub fn volume(&self, from: i64, to: i64) -> f64 {
        match &self.path {
            PricePath::Replay { series, .. } => {
                let samples = self.samples(from, to);
                samples
                    .windows(2)
                    .map(|w| {
                        let PricePath::Replay { anchor_ms, .. } = &self.path else {
                            return 0.0;
                        };
                        let middle = (w[0] + w[1]) / 2 - anchor_ms;
                        series.volume_rate(middle) * (w[1] - w[0]) as f64
                    })
                    .sum()
            }
            PricePath::Scripted { .. } => (to - from).max(0) as f64 / 60_000.0,
        }
    }

    /// Open, high, low, close and volume over `[from, to)`.
    pub fn ohlcv(&self, from: i64, to: i64) -> [f64; 5] {
        let last = (to - 1).max(from);
        let prices: Vec<f64> = self.samples(from, last).into_iter().map(|t| self.price(t)).collect();
        let high = prices.iter().copied().fold(f64::MIN, f64::max);
        let low = prices.iter().copied().fold(f64::MAX, f64::min);
        [self.price(from), high, low, self.price(last), self.volume(from, to)]
    }
}

fn tick_for(price: f64) -> f64 {
    if price >= 10.0 {
        0.01
    } else if price >= 0.1 {
        0.0001
    } else {
        0.00000001
    }
}

fn scripted_price(points: &[(i64, f64)], at_ms: i64) -> f64 {
    let Some(first) = points.first() else {
        return 0.0;
    };
    if at_ms <= first.0 {
        return first.1;
    }
    for pair in points.windows(2) {
        let ((t0, p0), (t1, p1)) = (pair[0], pair[1]);
        if at_ms <= t1 {
            if t1 == t0 {
                return p1;
            }
            return p0 + (p1 - p0) * (at_ms - t0) as f64 / (t1 - t0) as f64;
        }
    }
    points.last().map(|p| p.1).unwrap_or(first.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scripted(points: Vec<(i64, f64)>) -> Track {
        Track { base: "ABC".into(), quote: "USDT".into(), path: PricePath::Scripted { points } }
    }

    #[test]
    fn scripted_prices_interpolate_and_hold() {
        let track = scripted(vec![(1_000, 100.0), (2_000, 200.0)]);
        assert_eq!(track.price(0), 100.0);
        assert_eq!(track.price(1_500), 150.0);
        assert_eq!(track.price(9_000), 200.0);
        let [open, high, low, close, _] = track.ohlcv(0, 3_000);
        assert_eq!((open, high, low, close), (100.0, 200.0, 100.0, 200.0));
    }

    #[test]
    fn spread_is_positive_and_on_ticks() {
        let track = scripted(vec![(0, 10_000.0)]);
        let (bid, ask) = track.bid_ask(0);
        assert!(bid < 10_000.0 && ask > 10_000.0, "{bid} {ask}");
        assert!(ask - bid < 2.0);
        let cheap = scripted(vec![(0, 0.05)]);
        let (bid, ask) = cheap.bid_ask(0);
        assert!(ask > bid);
    }

    #[test]
    fn replay_candles_cover_the_recorded_range() {
        let series = super::super::series::load(None).unwrap().remove(0);
        let track = Track::replay(series, 0);
        let [open, high, low, close, volume] = track.ohlcv(0, 3_600_000);
        assert!(high >= open.max(close) && low <= open.min(close));
        assert!(volume > 0.0);
    }
}
