//! The node inspector's Processes and Mounts tabs as tables: processes with their CPU share
//! between two reads and their memory (sortable with the table's keys; busiest first until
//! the user sorts), mounts with size, use and how full, disks as Talos lists them.

use crate::app::state::State;
use crate::model::store::ObjRef;
use crate::model::table::{Cell, Column, TableRow};
use crate::model::talos_metrics::bar;

pub const PROCESS_COLUMNS: &[Column] = &[
    Column::new("PID", 7).right(),
    Column::new("STATE", 5),
    Column::new("THREADS", 7).right(),
    Column::new("CPU%", 6).right(),
    Column::new("RSS", 9).right(),
    Column::new("MEM%", 5).right(),
    Column::new("COMMAND", 16).min(8),
    Column::new("ARGS", 120).min(10).flex(),
];

pub const MOUNT_COLUMNS: &[Column] = &[
    Column::new("FILESYSTEM", 24).min(8),
    Column::new("MOUNTED ON", 30).min(8),
    Column::new("SIZE", 9).right(),
    Column::new("USED", 9).right(),
    Column::new("AVAIL", 9).right(),
    Column::new("USE%", 11),
];

pub const DISK_COLUMNS: &[Column] = &[
    Column::new("DEVICE", 14).min(8),
    Column::new("MODEL", 24),
    Column::new("SERIAL", 20),
    Column::new("TYPE", 7),
    Column::new("SIZE", 10).right(),
    Column::new("SYSTEM", 6),
    Column::new("READ-ONLY", 9),
    Column::new("BUS PATH", 60).min(8).flex(),
];

fn size(bytes: u64) -> String {
    crate::model::text::binary_bytes(bytes as f64)
}

pub fn process_rows(state: &State) -> Vec<TableRow> {
    let Some(Ok(sample)) = &state.talos.inspector.processes else {
        return Vec::new();
    };
    let memtotal = match state.screen() {
        crate::app::state::Screen::TalosNode(key) => state
            .talos
            .nodes
            .get(key)
            .and_then(|n| n.sample.as_ref())
            .and_then(|s| s.mem_total_kb)
            .map(|kb| kb * 1024),
        _ => None,
    };
    let mut rows: Vec<(f64, TableRow)> = sample
        .rows
        .iter()
        .map(|p| {
            let cpu = sample.cpu_pct.get(&p.pid).copied();
            let mem = memtotal
                .filter(|t| *t > 0)
                .map(|t| 100.0 * p.resident_bytes as f64 / t as f64);
            let row = TableRow::new(
                ObjRef::new("", p.pid.to_string()),
                vec![
                    Cell::plain(p.pid.to_string()).sorted_by(p.pid as i64),
                    Cell::plain(p.state.clone()),
                    Cell::plain(p.threads.to_string()).sorted_by(p.threads as i64),
                    cpu.map_or_else(
                        || Cell::plain("-").sorted_by(-1),
                        |c| Cell::plain(format!("{c:.1}")).sorted_by((c * 10.0) as i64),
                    ),
                    Cell::plain(size(p.resident_bytes)).sorted_by(p.resident_bytes as i64),
                    mem.map_or_else(
                        || Cell::plain("-").sorted_by(-1),
                        |m| Cell::plain(format!("{m:.1}")).sorted_by((m * 10.0) as i64),
                    ),
                    Cell::plain(p.command.clone()),
                    Cell::styled(p.args.clone(), "dim"),
                ],
            );
            (cpu.unwrap_or(-1.0), row)
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

pub fn mount_rows(state: &State) -> Vec<TableRow> {
    let Some(Ok(mounts)) = &state.talos.inspector.mounts else {
        return Vec::new();
    };
    mounts
        .iter()
        .map(|m| {
            let used = m.size.saturating_sub(m.available);
            let pct = m.used_pct();
            let style = match pct {
                Some(p) if p > 90.0 => "status.degraded",
                Some(p) if p > 75.0 => "status.warning",
                _ => "gauge",
            };
            TableRow::new(
                ObjRef::new("", m.mounted_on.clone()),
                vec![
                    Cell::plain(m.filesystem.clone()),
                    Cell::plain(m.mounted_on.clone()),
                    Cell::plain(size(m.size)).sorted_by(m.size as i64),
                    Cell::plain(size(used)).sorted_by(used as i64),
                    Cell::plain(size(m.available)).sorted_by(m.available as i64),
                    pct.map_or_else(
                        || Cell::plain("-").sorted_by(-1),
                        |p| {
                            Cell::styled(format!("{} {p:>3.0}%", bar(p, 5)), style)
                                .sorted_by(p as i64)
                        },
                    ),
                ],
            )
        })
        .collect()
}

pub fn disk_rows(state: &State) -> Vec<TableRow> {
    let Some(Ok(disks)) = &state.talos.inspector.disks else {
        return Vec::new();
    };
    let yes = |b: bool| if b { "yes" } else { "-" };
    disks
        .iter()
        .map(|d| {
            TableRow::new(
                ObjRef::new("", d.device.clone()),
                vec![
                    Cell::plain(d.device.clone()),
                    Cell::plain(d.model.clone()),
                    Cell::styled(d.serial.clone(), "dim"),
                    Cell::plain(d.kind.clone()),
                    Cell::plain(size(d.size)).sorted_by(d.size as i64),
                    Cell::plain(yes(d.system)),
                    Cell::plain(yes(d.readonly)),
                    Cell::styled(d.bus_path.clone(), "dim"),
                ],
            )
        })
        .collect()
}
