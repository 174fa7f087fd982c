//! Detects a series crossing zero between one candle and the next (a line crossing another,
//! when fed their difference).

use serde::{Deserialize, Serialize};

use super::Signal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Crossing {
    Up,
    Down,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Cross {
    previous: Option<f64>,
}

impl Cross {
    /// `Up` when the value went from at most zero to above it, `Down` from at least zero to
    /// below it; nothing on the first value.
    #[inline]
    pub fn update(&mut self, value: f64) -> Option<Crossing> {
        let previous = self.previous.replace(value)?;
        if previous <= 0.0 && value > 0.0 {
            Some(Crossing::Up)
        } else if previous >= 0.0 && value < 0.0 {
            Some(Crossing::Down)
        } else {
            None
        }
    }

    /// Enter when the value crosses above zero, exit when it crosses below.
    #[inline]
    pub fn signal(&mut self, value: f64) -> Signal {
        match self.update(value) {
            Some(Crossing::Up) => Signal::Enter,
            Some(Crossing::Down) => Signal::Exit,
            None => Signal::Hold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_crossing_once() {
        let mut cross = Cross::default();
        let seen: Vec<_> = [-1.0, 0.0, 2.0, 3.0, -1.0, -2.0].map(|v| cross.update(v)).to_vec();
        use Crossing::*;
        assert_eq!(seen, [None, None, Some(Up), None, Some(Down), None]);
    }
}
