//! `d` on a row: the object and its events fetched, described as `kubectl describe` prints
//! them (`model::describe`), scrolled; its owners followed up the chain (a pod's ReplicaSet,
//! that one's Deployment) so `Controlled By:` names the workload.

use super::domains::TextView;
use super::msg::Command;
use super::navigation::push;
use super::state::{Screen, State};
use super::yaml;
use crate::clients::error::ClientError;
use crate::model::describe::describe;
use crate::model::store::ObjRef;
use crate::model::yaml::ObjectRef;

/// How far up an owner chain describe follows (pod → ReplicaSet → Deployment → …).
const OWNER_CHAIN: usize = 4;

/// Describe the object under the cursor, if the row is a Kubernetes object.
pub fn open(state: &mut State) -> Vec<Command> {
    let Some(target) = yaml::target(state) else {
        state.notice = Some(yaml::no_object(state));
        return Vec::new();
    };
    push(state, Screen::Describe(target.clone()));
    state.describe = TextView::default();
    vec![Command::Describe(target)]
}

/// The object and its events arrived: described, if the view still shows it. Events that
/// could not be read are said, not fatal. Its controller is fetched next.
pub fn on_described(
    state: &mut State,
    target: ObjectRef,
    object: Result<serde_json::Value, ClientError>,
    events: Result<serde_json::Value, ClientError>,
) -> Vec<Command> {
    if state.screen() != &Screen::Describe(target.clone()) {
        return Vec::new();
    }
    state.dirty = true;
    let owner = object
        .as_ref()
        .ok()
        .and_then(|o| controller_of(state, &target, o));
    let lines = object.map_err(|e| e.to_string()).map(|object| {
        let items = match &events {
            Ok(list) => list["items"].as_array().cloned().unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        let mut lines = describe(&object, &items, state.now);
        if let Some(m) = state.malformed(&target.group, &target.kind, &target.key) {
            // Its row shows these fields empty: the object holds another type there.
            lines.insert(
                0,
                format!("Malformed:      {}; its row shows it empty", m.fields),
            );
        }
        if let Err(e) = events {
            lines.push(format!("  (events could not be read: {e})"));
        }
        lines
    });
    state.describe.lines = Some(lines);
    fetch_owner(state, target, owner)
}

/// The controlling owner of `object` (which is `of`), when discovery knows its kind.
fn controller_of(state: &State, of: &ObjectRef, object: &serde_json::Value) -> Option<ObjectRef> {
    let owner = object
        .pointer("/metadata/ownerReferences")?
        .as_array()?
        .iter()
        .find(|o| o["controller"] == true)?;
    let group = owner["apiVersion"]
        .as_str()?
        .rsplit_once('/')
        .map_or("", |(g, _)| g);
    let found = state.catalog.by_kind(group, owner["kind"].as_str()?)?;
    let namespace = if found.namespaced {
        of.key.namespace.to_string()
    } else {
        String::new()
    };
    Some(ObjectRef {
        group: found.group.clone(),
        version: found.version.clone(),
        kind: found.kind.clone(),
        plural: found.plural.clone(),
        namespaced: found.namespaced,
        key: ObjRef::in_cluster(of.key.cluster.clone(), namespace, owner["name"].as_str()?),
    })
}

/// Fetch the next owner up, unless the chain is long enough already.
fn fetch_owner(state: &mut State, target: ObjectRef, owner: Option<ObjectRef>) -> Vec<Command> {
    match owner {
        Some(owner) if state.describe.owners < OWNER_CHAIN => {
            state.describe.owners += 1;
            vec![Command::FetchOwner { target, owner }]
        }
        _ => Vec::new(),
    }
}

/// An owner arrived: its own controller joins the `Controlled By:` line, and is fetched in
/// turn.
pub fn on_owner(
    state: &mut State,
    target: ObjectRef,
    owner: ObjectRef,
    result: Result<serde_json::Value, ClientError>,
) -> Vec<Command> {
    if state.screen() != &Screen::Describe(target.clone()) {
        return Vec::new();
    }
    let Ok(object) = result else {
        return Vec::new();
    };
    let above = controller_of(state, &owner, &object);
    if let (Some(above), Some(Ok(lines))) = (&above, &mut state.describe.lines)
        && let Some(line) = lines.iter_mut().find(|l| l.starts_with("Controlled By:"))
    {
        line.push_str(&format!(" ← {}/{}", above.kind, above.key.name));
        state.dirty = true;
    }
    fetch_owner(state, target, above)
}

pub fn scroll(state: &mut State, delta: isize) {
    let count = match &state.describe.lines {
        Some(Ok(lines)) => lines.len(),
        _ => 0,
    };
    let at = (state.describe.scroll as isize).saturating_add(delta);
    state.describe.scroll = at.clamp(0, count.saturating_sub(1) as isize) as usize;
}
