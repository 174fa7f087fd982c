//! The equity after every candle thinned for a chart, and its drawdown below the running peak:
//! a year of minute candles is 525,600 points, a chart needs a few thousand. Each bucket of
//! consecutive points keeps its lowest and highest equity (in time order) and its deepest
//! drawdown, so no peak or trough a trader would look for is dropped.

use serde::Serialize;

/// One chart point: time in ms, value (equity in quote currency, or drawdown in percent, ≤ 0).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point(pub i64, pub f64);

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Curves {
    pub equity: Vec<Point>,
    pub drawdown_pct: Vec<Point>,
}

/// `points` (time order) thinned to about `max_points` per curve (at least 2 per bucket kept
/// for equity, so up to twice that).
pub fn chart_curves(points: &[Point], max_points: usize) -> Curves {
    let drawdown = drawdown_pct(points);
    let size = points.len().div_ceil(max_points.max(1)).max(1);
    let mut curves = Curves::default();
    for (bucket, dd) in points.chunks(size).zip(drawdown.chunks(size)) {
        let low = bucket.iter().min_by(|a, b| a.1.total_cmp(&b.1)).copied();
        let high = bucket.iter().max_by(|a, b| a.1.total_cmp(&b.1)).copied();
        if let (Some(low), Some(high)) = (low, high) {
            let (first, second) = if low.0 <= high.0 { (low, high) } else { (high, low) };
            curves.equity.push(first);
            if second.0 != first.0 {
                curves.equity.push(second);
            }
        }
        if let Some(deepest) = dd.iter().min_by(|a, b| a.1.total_cmp(&b.1)) {
            curves.drawdown_pct.push(*deepest);
        }
    }
    curves
}

/// Percent below the highest equity so far, at every point.
pub fn drawdown_pct(points: &[Point]) -> Vec<Point> {
    let mut peak = f64::MIN;
    points
        .iter()
        .map(|&Point(time, equity)| {
            peak = peak.max(equity);
            let pct = if peak > 0.0 { (equity / peak - 1.0) * 100.0 } else { 0.0 };
            Point(time, pct)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawdown_is_measured_from_the_running_peak() {
        let points = [Point(1, 100.0), Point(2, 120.0), Point(3, 90.0), Point(4, 130.0)];
        let dd = drawdown_pct(&points);
        assert_eq!(dd.iter().map(|p| p.1).collect::<Vec<_>>(), vec![0.0, 0.0, -25.0, 0.0]);
    }

    #[test]
    fn thinning_keeps_extremes_and_time_order() {
        let points: Vec<Point> =
            (0..10_000).map(|i| Point(i, if i == 4_321 { 50.0 } else { 100.0 + (i % 7) as f64 })).collect();
        let curves = chart_curves(&points, 100);
        assert!(curves.equity.len() <= 200 && curves.equity.len() >= 100);
        assert!(curves.equity.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(curves.equity.contains(&Point(4_321, 50.0)));
        assert_eq!(curves.drawdown_pct.len(), 100);
        let deepest = curves.drawdown_pct.iter().map(|p| p.1).fold(0.0, f64::min);
        assert!((deepest - (50.0 / 106.0 - 1.0) * 100.0).abs() < 1e-9);
        assert_eq!(chart_curves(&points[..3], 100).equity.len(), 3);
        assert_eq!(chart_curves(&[], 100), Curves::default());
    }
}
