//! A fixed-size ring of the most recent inputs, for indicators that must forget the oldest.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Window {
    values: Vec<f64>,
    next: usize,
}

impl Window {
    pub(crate) fn new(size: usize) -> Self {
        Self {
            values: vec![0.0; size],
            next: 0,
        }
    }

    /// Stores `value` over the oldest one and returns the value that is now the oldest, the
    /// one `size - 1` inputs back (meaningful once `size` values have been pushed).
    #[inline]
    pub(crate) fn push(&mut self, value: f64) -> f64 {
        self.values[self.next] = value;
        self.next += 1;
        if self.next == self.values.len() {
            self.next = 0;
        }
        self.values[self.next]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_value_size_minus_one_back() {
        let mut window = Window::new(3);
        window.push(1.0);
        window.push(2.0);
        assert_eq!(window.push(3.0), 1.0);
        assert_eq!(window.push(4.0), 2.0);
        assert_eq!(window.push(5.0), 3.0);
    }
}
