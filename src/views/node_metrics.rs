//! The inspector's Metrics tab, as `talosctl dashboard` draws a node: CPU, memory, load, each
//! physical link's receive and send rates, and disk reads and writes, each as its latest value
//! and a sparkline over the last minutes (two seconds a column; polled every second while the
//! node is on screen, every few seconds before).

use jiff::SignedDuration;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Sparkline};

use super::table;
use crate::app::state::State;
use crate::model::store::ObjRef;
use crate::model::talos_metrics::{NodeMetrics, Point};

/// Time per sparkline column.
const STEP: SignedDuration = SignedDuration::from_secs(2);
/// Width of the label and value before each sparkline.
const LABEL: u16 = 26;

/// Reads one series' value from a point.
type Read = Box<dyn Fn(&Point) -> Option<f64>>;

/// One line of the tab: its label, how its latest value reads, the scale top (None: the
/// series' own maximum), and the value of a point.
struct Series {
    label: String,
    value: Read,
    show: fn(f64) -> String,
    top: Option<f64>,
}

fn percent(v: f64) -> String {
    format!("{v:.0}%")
}

fn load(v: f64) -> String {
    format!("{v:.2}")
}

/// Bytes per second, in binary units.
pub fn rate(v: f64) -> String {
    format!("{}/s", crate::model::text::binary_bytes(v))
}

fn series_for(metrics: &NodeMetrics) -> Vec<Series> {
    let mut out = vec![
        Series {
            label: "CPU".into(),
            value: Box::new(|p| p.cpu_pct),
            show: percent,
            top: Some(100.0),
        },
        Series {
            label: "memory".into(),
            value: Box::new(|p| p.mem_pct),
            show: percent,
            top: Some(100.0),
        },
        Series {
            label: "load 1m".into(),
            value: Box::new(|p| p.load1),
            show: load,
            top: None,
        },
    ];
    let links: Vec<String> = metrics
        .latest()
        .map(|p| p.links.iter().map(|l| l.name.clone()).collect())
        .unwrap_or_default();
    for name in links {
        for (dir, rx) in [("rx", true), ("tx", false)] {
            let link = name.clone();
            out.push(Series {
                label: format!("{name} {dir}"),
                value: Box::new(move |p| {
                    p.links
                        .iter()
                        .find(|l| l.name == link)
                        .map(|l| if rx { l.rx_per_sec } else { l.tx_per_sec })
                }),
                show: rate,
                top: None,
            });
        }
    }
    out.push(Series {
        label: "disk read".into(),
        value: Box::new(|p| p.disk_read_per_sec),
        show: rate,
        top: None,
    });
    out.push(Series {
        label: "disk write".into(),
        value: Box::new(|p| p.disk_write_per_sec),
        show: rate,
        top: None,
    });
    out
}

/// The columns' values, a gap carried over from the column before (a slower poll), scaled to
/// integers for the sparkline.
fn bars(values: &[Option<f64>]) -> Vec<Option<u64>> {
    let mut last = None;
    values
        .iter()
        .map(|v| {
            if v.is_some() {
                last = *v;
            }
            last.map(|v| (v * 100.0).round() as u64)
        })
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, key: &ObjRef) {
    let theme = &state.theme;
    let width = area.width.saturating_sub(2 + LABEL) as usize;
    let minutes = (STEP * width as i32).as_secs() / 60;
    let block = Block::bordered()
        .border_style(theme.style("border"))
        .title(Span::styled(
            format!(" last {minutes} min · every second while shown "),
            theme.style("title"),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(metrics) = state
        .talos
        .metrics
        .get(key)
        .filter(|m| !m.points.is_empty())
    else {
        table::empty_message(
            frame,
            inner,
            "waiting for two polls of this node (rates come from their difference)…",
            theme,
        );
        return;
    };
    let all = series_for(metrics);
    // Up to the newest point, which may be younger than the clock's last tick.
    let end = metrics.latest().map_or(state.now, |p| p.at.max(state.now));
    let rows = Layout::vertical(all.iter().map(|_| Constraint::Length(1))).split(inner);
    for (series, row) in all.iter().zip(rows.iter()) {
        let [label, spark] =
            Layout::horizontal([Constraint::Length(LABEL), Constraint::Min(1)]).areas(*row);
        let values = metrics.series(end, spark.width as usize, STEP, &series.value);
        let latest = values.iter().rev().flatten().next().copied();
        let text = format!(
            " {:<12}{:>12} ",
            series.label,
            latest.map_or_else(|| "-".into(), series.show)
        );
        frame.render_widget(Paragraph::new(Line::from(text)), label);
        let data = bars(&values);
        let max = series.top.map_or_else(
            || data.iter().flatten().copied().max().unwrap_or(0),
            |top| (top * 100.0) as u64,
        );
        // A row is one character tall (eight steps): anything above zero shows at least the
        // lowest step, so 7 % CPU is not drawn as nothing.
        let floor = max.div_ceil(8);
        let data: Vec<u64> = data
            .iter()
            .map(|v| match v.unwrap_or(0) {
                0 => 0,
                v => v.max(floor),
            })
            .collect();
        let mut sparkline = Sparkline::default().data(data).style(theme.style("gauge"));
        if series.top.is_some() {
            sparkline = sparkline.max(max);
        }
        frame.render_widget(sparkline, spark);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_in_binary_units() {
        assert_eq!(rate(512.0), "512 B/s");
        assert_eq!(rate(1536.0), "1.5 KiB/s");
        assert_eq!(rate(3.0 * 1024.0 * 1024.0), "3.0 MiB/s");
    }

    #[test]
    fn gaps_carry_the_last_value_over() {
        assert_eq!(
            bars(&[None, Some(1.0), None, Some(2.5)]),
            [None, Some(100), Some(100), Some(250)]
        );
    }
}
