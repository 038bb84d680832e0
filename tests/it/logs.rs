//! `l` on a pod: the container's log through `pods/<name>/log` on the simulator, followed,
//! with the previous run, timestamps, containers and a filter; server text never reaches the
//! terminal raw.

use crate::common::{self, Cockpit};
use opsdeck::app::state::Screen;
use opsdeck::clients::talos::poller::TalosSetup;

#[tokio::test]
async fn a_running_pod_log_is_followed_and_scrolling_back_holds_still() {
    let sim = common::frozen_sim().await;
    let (mut c, pod) = Cockpit::on_pods(&sim, "immich-").await;
    c.press(&["l"]);
    assert_eq!(c.state.screen(), &Screen::Logs(pod.clone()));
    c.wait_for("the tail", |s| s.logs.text.len() > 20).await;
    let frame = c.frame_sized(160, 30);
    assert!(
        frame.contains(&format!(
            "logs immich/{} [immich] on {}",
            pod.name, pod.cluster
        )),
        "{frame}"
    );
    assert!(frame.contains("[following]"), "{frame}");
    assert!(frame.contains("level=info msg="), "{frame}");

    // New lines arrive while following.
    let before = c.state.logs.text.len();
    c.wait_for("a new line", |s| s.logs.text.len() > before)
        .await;

    // Scrolled back, the view stays on its lines as more arrive; G follows again.
    c.press(&["k", "k", "k"]);
    let back = c.state.logs.scroll_back;
    assert_eq!(back, 3);
    let shown = c.frame_sized(160, 30);
    let len = c.state.logs.text.len();
    c.wait_for("more lines", |s| s.logs.text.len() > len).await;
    assert!(c.state.logs.scroll_back > back, "the view holds still");
    let body = |f: &str| f.lines().skip(2).take(20).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&c.frame_sized(160, 30)), body(&shown));
    c.press(&["G"]);
    assert_eq!(c.state.logs.scroll_back, 0);
    // The same with a filter: only the lines it keeps move the view.
    c.press(&["/"]);
    c.type_text("healthz");
    c.press(&["<Enter>", "k", "k"]);
    let shown = c.frame_sized(160, 30);
    assert!(
        body(&shown).lines().all(|l| l.contains("healthz")),
        "{shown}"
    );
    let len = c.state.logs.text.len();
    c.wait_for("more lines", |s| s.logs.text.len() > len + 9)
        .await;
    assert_eq!(body(&c.frame_sized(160, 30)), body(&shown));
    c.press(&["<Esc>", "G"]);

    // Timestamps restart the stream with RFC 3339 stamps in front.
    c.press(&["t"]);
    c.wait_for("stamped lines", |s| {
        s.logs.text.lines().last().is_some_and(|l| {
            l.split_once(' ')
                .is_some_and(|(stamp, _)| stamp.parse::<jiff::Timestamp>().is_ok())
        })
    })
    .await;
    // A running container with no restarts has no previous run: the server's words.
    c.press(&["p"]);
    c.wait_for("the refusal", |s| s.logs.error.is_some()).await;
    let frame = c.frame_sized(160, 30);
    assert!(
        frame.contains("previous terminated container \"immich\""),
        "{frame}"
    );
    c.press(&["<Esc>"]);
    assert!(matches!(c.state.screen(), Screen::Pane(_)), "back to pods");
}

#[tokio::test]
async fn a_crash_looping_pod_shows_its_crash_without_escape_codes() {
    let sim = common::frozen_sim().await;
    let (mut c, pod) = Cockpit::on_pods(&sim, "CrashLoop").await;
    c.press(&["l"]);
    c.wait_for("the crash and the end", |s| s.logs.ended).await;
    let frame = c.frame_sized(160, 40);
    assert!(frame.contains("panic: connecting to database"), "{frame}");
    assert!(frame.contains("-- end of log --"), "{frame}");
    // The server wrote colour codes; the screen shows the words only.
    assert!(frame.contains("ERROR database not reachable"), "{frame}");
    assert!(!frame.contains('\u{1b}'), "{frame:?}");

    // Init containers are containers too.
    assert!(c.state.logs.containers.contains(&"wait-for-db".to_string()));
    c.press(&["<Tab>"]);
    c.wait_for("the init container's log", |s| {
        s.logs.reading.as_deref() == Some("wait-for-db") && s.logs.ended
    })
    .await;
    let frame = c.frame_sized(160, 40);
    assert!(
        frame.contains(&format!("[wait-for-db] on {}", pod.cluster)),
        "{frame}"
    );
    assert!(frame.contains("Tab: container 2 of 2"), "{frame}");

    // A filter keeps the matching lines.
    c.press(&["<Tab>"]);
    c.wait_for("the app container", |s| {
        s.logs.reading.as_deref() != Some("wait-for-db") && s.logs.ended
    })
    .await;
    c.press(&["/"]);
    c.type_text("panic");
    c.press(&["<Enter>"]);
    let frame = c.frame_sized(160, 40);
    assert!(frame.contains("panic: connecting"), "{frame}");
    assert!(!frame.contains("level=info"), "{frame}");
}

#[tokio::test]
async fn logs_are_offered_on_pods_only() {
    let sim = common::frozen_sim().await;
    let mut c =
        Cockpit::start_with_sources(common::all_sources(&sim).await, TalosSetup::default()).await;
    c.wait_for("discovery", |s| s.catalog.resolve("nodes").is_some())
        .await;
    c.command("nodes");
    c.wait_for("nodes", |s| !s.browse.rows.is_empty()).await;
    c.press(&["l"]);
    assert!(matches!(c.state.screen(), Screen::Pane(_)));
    assert_eq!(
        c.state.notice.as_deref(),
        Some("logs are a pod's: open :pods and pick one")
    );
}

#[tokio::test]
async fn long_lines_wrap_on_w_and_the_newest_line_stays_in_view() {
    let sim = common::frozen_sim().await;
    let (mut c, _) = Cockpit::on_pods(&sim, "immich-").await;
    c.press(&["l"]);
    c.wait_for("the tail", |s| s.logs.text.len() > 20).await;
    // 40 columns: the lines are longer, so cut at the edge.
    let last = |c: &mut Cockpit| c.state.logs.text.lines().last().cloned().expect("a line");
    let line = last(&mut c);
    assert!(line.chars().count() > 40, "{line}");
    let tail: String = line.chars().skip(line.chars().count() - 8).collect();
    let cut = c.frame_sized(40, 20);
    assert!(!cut.contains(&tail), "{tail:?} cut off:\n{cut}");
    c.press(&["w"]);
    assert!(c.state.logs.wrap);
    // Wrapped, the newest line's end is on screen, right above the bottom border.
    let line = last(&mut c);
    let tail: String = line.chars().skip(line.chars().count() - 8).collect();
    let wrapped = c.frame_sized(40, 20);
    let rows: Vec<&str> = wrapped.lines().collect();
    assert!(
        rows[rows.len() - 3].contains(&tail),
        "{tail:?} at the end:\n{wrapped}"
    );
    let wide = c.frame_sized(200, 20);
    assert!(wide.contains("w: wrap off"), "{wide}");
}
