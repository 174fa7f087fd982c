//! Exponential backoff between reconnects and retried posts: 0.5 s doubling to 30 s.

use std::time::Duration;

pub struct Backoff {
    next: Duration,
}

const FIRST: Duration = Duration::from_millis(500);
const LONGEST: Duration = Duration::from_secs(30);

impl Backoff {
    pub fn new() -> Self {
        Self { next: FIRST }
    }

    pub fn reset(&mut self) {
        self.next = FIRST;
    }

    /// The wait before the next attempt; each call doubles the following one.
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(LONGEST);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut backoff = Backoff::new();
        let delays: Vec<u64> = (0..9).map(|_| backoff.next_delay().as_millis() as u64).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), FIRST);
    }
}
