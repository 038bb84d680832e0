//! The one thread a server's lists are printed on.
//!
//! A list holds its server's database while it prints, so lists are served one at a time
//! whatever runs them. On tokio's blocking pool each list that came while another printed
//! waited for the lock on a thread of its own: a cockpit starting its twenty watches while a
//! 500-pod page printed made the pool start a dozen new threads, each a new stack and new
//! allocator pages the kernel had to zero — a sixth of the simulator's CPU during a
//! 100,000-object load, on the two cores the cockpit it serves shares with it. Here they
//! wait in a queue instead, in the order they came.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

type Job = Box<dyn FnOnce() + Send>;

/// A thread that runs jobs in order, until this is dropped.
pub struct ListThread {
    jobs: mpsc::Sender<Job>,
}

impl ListThread {
    /// Its thread is named `name` (as `ps -T` and profilers show it).
    pub fn start(name: &str) -> std::io::Result<ListThread> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                // Ends when the sender is dropped: the server is gone.
                while let Ok(job) = queue.recv() {
                    // A panicking list is a simulator bug: its answer is lost (the client sees
                    // the connection end), the next list is still served.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })?;
        Ok(ListThread { jobs })
    }

    /// Queue `job`. Were the thread gone (it is not while this lives), the job would be
    /// dropped unrun, and with it whatever it was to answer on.
    pub fn run(&self, job: impl FnOnce() + Send + 'static) {
        let _ = self.jobs.send(Box::new(job));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    #[test]
    fn jobs_run_in_order_on_one_thread_and_a_panic_does_not_stop_it() {
        let thread = ListThread::start("test-lists").expect("a thread");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (done_tx, done_rx) = mpsc::channel();
        for i in 0..5 {
            let seen = seen.clone();
            thread.run(move || {
                let name = std::thread::current().name().map(str::to_string);
                seen.lock().expect("not poisoned").push((i, name));
            });
            if i == 2 {
                thread.run(|| panic!("a simulator bug"));
            }
        }
        thread.run(move || done_tx.send(()).expect("the test waits"));
        done_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("every job ran");
        let seen = seen.lock().expect("not poisoned");
        let order: Vec<usize> = seen.iter().map(|(i, _)| *i).collect();
        assert_eq!(order, vec![0, 1, 2, 3, 4]);
        assert!(
            seen.iter()
                .all(|(_, name)| name.as_deref() == Some("test-lists"))
        );
    }

    #[test]
    fn the_thread_ends_with_its_owner() {
        thread_local! {
            static HELD: std::cell::RefCell<Option<mpsc::Sender<()>>> = const { std::cell::RefCell::new(None) };
        }
        let thread = ListThread::start("test-lists-end").expect("a thread");
        let (tx, rx) = mpsc::channel::<()>();
        // The thread keeps a sender until it exits (thread-locals are dropped then).
        thread.run(move || HELD.with(|held| *held.borrow_mut() = Some(tx)));
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(200)),
            Err(mpsc::RecvTimeoutError::Timeout),
            "the thread lives while its owner does"
        );
        drop(thread);
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)),
            Err(mpsc::RecvTimeoutError::Disconnected),
            "the thread ended"
        );
    }
}
