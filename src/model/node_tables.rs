//! The inspector's Processes and Mounts tabs: a node's processes (`Processes`) with their CPU
//! share between two reads and their memory, and its mounts (`Mounts`) with how full each is.
//! Pure.

use std::collections::BTreeMap;

use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq)]
pub struct ProcessRow {
    pub pid: i32,
    pub state: String,
    pub threads: i32,
    /// CPU seconds since the process started.
    pub cpu_time: f64,
    pub resident_bytes: u64,
    pub command: String,
    pub args: String,
}

/// One read of a node's processes, and each one's CPU % against the read before.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProcessSample {
    pub at: Option<Timestamp>,
    pub rows: Vec<ProcessRow>,
    /// pid → % of one CPU (above 100 for a process busy on several).
    pub cpu_pct: BTreeMap<i32, f64>,
}

impl ProcessSample {
    /// A new read, its CPU % worked out against `before` (pids that are new have none yet).
    pub fn next(before: Option<&ProcessSample>, rows: Vec<ProcessRow>, at: Timestamp) -> Self {
        let mut cpu_pct = BTreeMap::new();
        if let Some(before) = before
            && let Some(then) = before.at
        {
            let secs = at.duration_since(then).as_secs_f64();
            for p in &rows {
                let old = before.rows.iter().find(|o| o.pid == p.pid);
                if let Some(old) = old.filter(|o| o.cpu_time <= p.cpu_time && secs > 0.0) {
                    cpu_pct.insert(p.pid, 100.0 * (p.cpu_time - old.cpu_time) / secs);
                }
            }
        }
        ProcessSample {
            at: Some(at),
            rows,
            cpu_pct,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MountRow {
    pub filesystem: String,
    pub mounted_on: String,
    pub size: u64,
    pub available: u64,
}

impl MountRow {
    /// How full it is, when it has a size (pseudo filesystems have none).
    pub fn used_pct(&self) -> Option<f64> {
        (self.size > 0)
            .then(|| 100.0 * self.size.saturating_sub(self.available) as f64 / self.size as f64)
    }
}

/// A block device as Talos lists it (`StorageService.Disks`).
#[derive(Debug, Clone, PartialEq)]
pub struct DiskRow {
    /// `/dev/sda`.
    pub device: String,
    pub model: String,
    pub serial: String,
    /// `SSD`, `HDD`, `NVME`, `SD`, `CD`, or `UNKNOWN` (a virtual disk).
    pub kind: String,
    pub size: u64,
    /// Talos is installed on it.
    pub system: bool,
    pub readonly: bool,
    pub bus_path: String,
}

/// What one read of a node table returned.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeTable {
    Processes(Vec<ProcessRow>),
    Mounts(Vec<MountRow>),
    Disks(Vec<DiskRow>),
}

/// Which node table a tab polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeTableKind {
    Processes,
    Mounts,
    Disks,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pid: i32, cpu: f64) -> ProcessRow {
        ProcessRow {
            pid,
            state: "S".into(),
            threads: 1,
            cpu_time: cpu,
            resident_bytes: 0,
            command: "x".into(),
            args: String::new(),
        }
    }

    #[test]
    fn cpu_share_comes_from_two_reads() {
        let t0: Timestamp = "2026-11-30T10:00:00Z".parse().expect("t");
        let t1: Timestamp = "2026-11-30T10:00:02Z".parse().expect("t");
        let first = ProcessSample::next(None, vec![p(1, 10.0), p(2, 5.0)], t0);
        assert!(first.cpu_pct.is_empty(), "one read says nothing");
        let second = ProcessSample::next(Some(&first), vec![p(1, 11.0), p(2, 8.0), p(3, 1.0)], t1);
        assert_eq!(second.cpu_pct.get(&1), Some(&50.0));
        assert_eq!(second.cpu_pct.get(&2), Some(&150.0), "several CPUs");
        assert_eq!(second.cpu_pct.get(&3), None, "new since the last read");
        let full = MountRow {
            filesystem: "/dev/vda6".into(),
            mounted_on: "/var".into(),
            size: 200,
            available: 50,
        };
        assert_eq!(full.used_pct(), Some(75.0));
    }
}
