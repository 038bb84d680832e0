//! The background work behind the node inspector's tabs, one at a time in the inspector's slot
//! (a new tab's work replaces the last): a log or dmesg followed, a node table read every two
//! seconds, the Machine tab's watches, the Config tab's one read.

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::msg::Msg;
use super::watches;
use crate::clients::talos::client::TalosClient;
use crate::clients::talos::follow;
use crate::clients::talos::poller;
use crate::clients::talos::state::MACHINE_CONFIGS;
use crate::model::node_tables::NodeTableKind;
use crate::model::store::ObjRef;
use crate::model::talos::TextSource;
use crate::model::talos_machine::redacted_config;

pub const NO_CONTEXT: &str = "no talosconfig context for this node";

/// The work one tab needs, on the node's client; None when the node has no client (the tab is
/// told why instead).
pub fn start(
    client: Option<&TalosClient>,
    tab: TabWork,
    tx: &UnboundedSender<Msg>,
) -> Option<JoinHandle<()>> {
    let Some(client) = client.cloned() else {
        let _ = tx.send(tab.no_client());
        return None;
    };
    let tx = tx.clone();
    Some(match tab {
        TabWork::Text(key, source) => {
            let (text_key, text_source) = (key.clone(), source.clone());
            let sink = watches::sink(&tx, move |text| Msg::NodeText {
                key: text_key.clone(),
                source: text_source.clone(),
                text,
            });
            poller::stream_text(client, key, source, sink)
        }
        TabWork::Table(key, kind) => tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
            loop {
                tick.tick().await;
                let result = client
                    .node_table(&key.name, kind)
                    .await
                    .map_err(|e| e.to_string());
                let msg = Msg::NodeTable {
                    key: key.clone(),
                    result,
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        }),
        TabWork::Details(key) => {
            let node = key.name.to_string();
            let sink = watches::sink(&tx, move |details| Msg::MachineDetails {
                key: key.clone(),
                details,
            });
            follow::follow_details(client, node, sink)
        }
        TabWork::Config(key) => tokio::spawn(async move {
            // The config holds every secret of the cluster: it is redacted as soon as it
            // arrives and only the redacted lines are kept.
            let config = client
                .get_spec(&key.name, MACHINE_CONFIGS, "v1alpha1")
                .await
                .and_then(|spec| redacted_config(&spec));
            let _ = tx.send(Msg::MachineConfig { key, config });
        }),
    })
}

/// What a tab asks to have running.
pub enum TabWork {
    Text(ObjRef, TextSource),
    Table(ObjRef, NodeTableKind),
    Details(ObjRef),
    Config(ObjRef),
}

impl TabWork {
    pub fn node(&self) -> &ObjRef {
        match self {
            TabWork::Text(key, _)
            | TabWork::Table(key, _)
            | TabWork::Details(key)
            | TabWork::Config(key) => key,
        }
    }

    fn no_client(self) -> Msg {
        fn why<T>() -> Result<T, String> {
            Err(NO_CONTEXT.to_string())
        }
        match self {
            TabWork::Text(key, source) => Msg::NodeText {
                key,
                source,
                text: why(),
            },
            TabWork::Table(key, _) => Msg::NodeTable { key, result: why() },
            TabWork::Details(key) => Msg::MachineDetails {
                key,
                details: why(),
            },
            TabWork::Config(key) => Msg::MachineConfig { key, config: why() },
        }
    }
}
