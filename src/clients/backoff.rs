//! The pause after a failed list, watch or stream before trying again, shared by the kube
//! watches, the Talos streams and Argo CD's resource-tree stream.

use std::time::Duration;

/// From half a second, doubling up to half a minute while failures go on, and short again
/// once a try succeeds.
#[derive(Debug)]
pub struct Backoff(Duration);

impl Default for Backoff {
    fn default() -> Self {
        Backoff(Self::FIRST)
    }
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(500);
    const MOST: Duration = Duration::from_secs(30);

    /// A try succeeded: the next failure waits the shortest pause again.
    pub fn reset(&mut self) {
        self.0 = Self::FIRST;
    }

    /// Wait out the pause; the next is twice as long.
    pub async fn wait(&mut self) {
        tokio::time::sleep(self.next()).await;
    }

    fn next(&mut self) -> Duration {
        let pause = self.0;
        self.0 = (self.0 * 2).min(Self::MOST);
        pause
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    #[test]
    fn failures_wait_longer_each_time_up_to_half_a_minute_and_a_success_starts_over() {
        let mut backoff = super::Backoff::default();
        let pauses: Vec<u64> = (0..9).map(|_| backoff.next().as_millis() as u64).collect();
        assert_eq!(
            pauses,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
        );
        backoff.reset();
        assert_eq!(backoff.next(), Duration::from_millis(500));
    }
}
