//! `y` on a row: the live object as YAML, fetched on demand — without managedFields, a Secret's
//! values masked until asked for — from a layer pane, the tree and the kind browser.

use crate::common::{self, Cockpit};
use opsdeck::app::ids::PaneId;
use opsdeck::app::state::Screen;
use opsdeck::model::tree::NodeId;
use opsdeck::model::yaml::MASK;

async fn yaml_loaded(c: &mut Cockpit) -> String {
    c.wait_for("the object", |s| {
        matches!(s.yaml.object, Some(Ok(_))) && matches!(s.screen(), Screen::Yaml(_))
    })
    .await;
    c.frame_sized(160, 60)
}

#[tokio::test]
async fn an_application_shows_as_yaml_and_esc_returns() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.open_apps("immich").await;
    c.press(&["y"]);
    let frame = yaml_loaded(&mut c).await;
    assert!(frame.contains("Application argocd/immich"), "{frame}");
    assert!(frame.contains("kind: Application"), "{frame}");
    assert!(frame.contains("name: immich"), "{frame}");
    assert!(!frame.contains("managedFields"), "{frame}");
    c.press(&["<Esc>"]);
    assert_eq!(c.state.screen(), &Screen::Pane(PaneId::APPS));
}

#[tokio::test]
async fn a_machine_in_the_tree_and_a_row_that_is_no_object() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("machines", |s| s.capi.machines.len() == 9).await;
    let machine = c
        .state
        .capi
        .machines
        .iter()
        .find(|m| m.key.name.starts_with("lab-cp-"))
        .map(|m| NodeId::Machine(m.key.clone()))
        .expect("a machine");
    c.select_in_tree(&machine).await;
    c.press(&["y"]);
    let frame = yaml_loaded(&mut c).await;
    assert!(frame.contains("kind: Machine"), "{frame}");
    assert!(
        frame.contains("apiVersion: cluster.x-k8s.io/v1beta2"),
        "{frame}"
    );
    // The operations panel lists what this cockpit sent: no Kubernetes object to show.
    c.press(&["0", "y"]);
    assert!(c.frame().contains("not a Kubernetes object"));
}

#[tokio::test]
async fn a_secrets_values_stay_masked_until_asked_for() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.wait_for("discovery", |s| s.catalog.resolve("secret").is_some())
        .await;
    c.press(&[":"]);
    c.type_text("secret");
    c.press(&["<Enter>"]);
    c.wait_for("secrets", |s| !s.browse.rows.is_empty()).await;
    c.press(&["/"]);
    c.type_text("media-kubeconfig");
    c.press(&["<Enter>", "y"]);
    let frame = yaml_loaded(&mut c).await;
    assert!(frame.contains("kind: Secret"), "{frame}");
    assert!(
        frame.contains(MASK) && frame.contains("values masked"),
        "{frame}"
    );
    let value = match &c.state.yaml.object {
        Some(Ok(secret)) => secret["data"]["value"].as_str().expect("value").to_string(),
        other => panic!("no secret: {other:?}"),
    };
    assert!(!frame.contains(&value[..20]), "masked:\n{frame}");
    c.press(&["x"]);
    let revealed = c.frame_sized(400, 60);
    assert!(revealed.contains(&value[..20]), "{revealed}");
}

/// What the last copy put on a clipboard: the OSC 52 payload where there is no display (CI),
/// or nothing to read back when the system clipboard took it.
fn copied_text(c: &Cockpit) -> Option<String> {
    use base64::Engine;
    let sequence = c.state.terminal_output.last()?;
    let payload = sequence
        .strip_prefix("\u{1b}]52;c;")?
        .strip_suffix('\u{7}')?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(payload)
        .expect("base64");
    Some(String::from_utf8(bytes).expect("utf-8"))
}

#[tokio::test]
async fn c_copies_the_name_and_y_the_yaml_and_says_how() {
    let sim = common::frozen_sim().await;
    let mut c = Cockpit::start(common::admin(&sim).await).await;
    c.open_apps("immich").await;
    c.press(&["c"]);
    c.wait_for("the copy", |s| {
        s.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("copied \"immich\""))
    })
    .await;
    let notice = c.state.notice.clone().unwrap_or_default();
    assert!(
        notice.contains("to the clipboard") || notice.contains("OSC 52"),
        "{notice}"
    );
    if notice.contains("OSC 52") {
        assert_eq!(copied_text(&c).as_deref(), Some("immich"));
    }
    c.press(&["Y"]);
    c.wait_for("the YAML copy", |s| {
        s.notice
            .as_deref()
            .is_some_and(|n| n.starts_with("copied the YAML of Application immich"))
    })
    .await;
    if c.state
        .notice
        .as_deref()
        .is_some_and(|n| n.contains("OSC 52"))
    {
        let yaml = copied_text(&c).expect("a payload");
        assert!(
            yaml.contains("kind: Application") && !yaml.contains("managedFields"),
            "{yaml}"
        );
    }
}

#[tokio::test]
async fn slash_searches_the_yaml_and_n_goes_to_the_next_match() {
    let sim = common::frozen_sim().await;
    let (mut c, _) = Cockpit::on_pods(&sim, "immich-").await;
    c.press(&["y"]);
    yaml_loaded(&mut c).await;
    let lines = c.state.yaml_lines();
    let hits: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.to_ascii_lowercase().contains("mountpath"))
        .map(|(i, _)| i)
        .collect();
    assert!(hits.len() >= 2, "{hits:?}");
    assert_eq!(c.state.yaml.scroll, 0);
    // Typing the term moves to its first line (case does not matter); Enter keeps it.
    c.press(&["/"]);
    c.type_text("MOUNTPATH");
    c.press(&["<Enter>"]);
    assert_eq!(c.state.yaml.scroll, hits[0]);
    let frame = c.frame_sized(160, 30);
    assert!(
        frame.contains(&format!("/MOUNTPATH: {} lines — n, N", hits.len())),
        "{frame}"
    );
    // The first shown line is the match, under the highlight.
    assert!(
        frame
            .lines()
            .nth(2)
            .is_some_and(|l| l.contains("mountPath")),
        "{frame}"
    );
    c.press(&["n"]);
    assert_eq!(c.state.yaml.scroll, hits[1]);
    c.press(&["N"]);
    assert_eq!(c.state.yaml.scroll, hits[0]);
    // Past the first, N wraps to the last.
    c.press(&["N"]);
    assert_eq!(c.state.yaml.scroll, *hits.last().expect("a hit"));
    // Esc clears the term (the prompt starts from the current one).
    c.press(&["<Esc>", "/"]);
    c.type_text("zzz-nowhere");
    c.press(&["<Enter>"]);
    assert_eq!(c.state.notice.as_deref(), Some("\"zzz-nowhere\" not found"));
}
