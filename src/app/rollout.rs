//! Running a rollout: send a step, wait until its gate holds on the live rows (the same watches
//! and polls that feed the panes, so no extra requests), then send the next. A failed request
//! or gate stops the rollout and says why; nothing after it is sent. Pure, like `update`.

use jiff::{SignedDuration, Timestamp};

use super::domains::{OpStatus, Operation, RolloutRun};
use super::msg::Command;
use super::state::State;
use crate::clients::error::ClientError;
use crate::model::rollout::{Gate, Plan, Request, Rollout};
use crate::model::upgrade::Version;

/// How long Machines may take to roll before the rollout gives up.
const MACHINES_WITHIN: SignedDuration = SignedDuration::from_mins(30);
/// How long an upgraded node may take to reboot and answer again.
const NODE_BACK_WITHIN: SignedDuration = SignedDuration::from_mins(10);
/// How long etcd may take to be whole again after a control-plane node is back.
const ETCD_GRACE: SignedDuration = SignedDuration::from_mins(2);

/// The command that sends an operation's request, or its rollout's current step.
pub fn command_for(op: &Operation) -> Option<Command> {
    let id = op.id;
    let request = match &op.plan {
        Plan::Request(plan) => {
            return Some(Command::Execute {
                id,
                plan: plan.clone(),
            });
        }
        Plan::Argo(request) => {
            return Some(Command::ArgoExecute {
                id,
                request: request.clone(),
            });
        }
        Plan::Plugin(run) => {
            return Some(Command::RunPlugin {
                id,
                run: run.clone(),
            });
        }
        Plan::Talos(call) => {
            return Some(Command::TalosCall {
                id,
                call: call.clone(),
            });
        }
        Plan::Rollout(r) => &r.steps.get(op.run.as_ref()?.step)?.request,
    };
    Some(match request {
        Request::Kube(plan) => Command::Execute {
            id,
            plan: plan.clone(),
        },
        Request::Talos(upgrade) => Command::TalosUpgrade {
            id,
            request: upgrade.clone(),
        },
        Request::TalosCall(call) => Command::TalosCall {
            id,
            call: call.clone(),
        },
    })
}

fn step_name(r: &Rollout, run: &RolloutRun) -> String {
    let label = r.steps.get(run.step).map_or("", |s| s.label.as_str());
    format!("step {}/{} ({label})", run.step + 1, r.steps.len())
}

/// What the server (or node) said to an operation's request or current step.
/// An action in flight says how far it has come; a finished one keeps its outcome.
pub fn on_progress(state: &mut State, id: u64, note: String) {
    if let Some(op) = state
        .actions
        .operations
        .iter_mut()
        .find(|o| o.id == id && matches!(o.status, OpStatus::Sent | OpStatus::Running(_)))
    {
        op.status = OpStatus::Running(note);
    }
}

pub fn on_done(state: &mut State, id: u64, result: Result<String, ClientError>) {
    let now = state.now;
    let Some(op) = state.actions.operations.iter_mut().find(|o| o.id == id) else {
        return;
    };
    let title = op.plan.title().to_string();
    match (&op.plan, op.run.as_mut()) {
        (Plan::Rollout(r), Some(run)) => {
            let step = step_name(r, run);
            match result {
                Ok(msg) => {
                    run.waiting_since = Some(now);
                    let gate = r.steps.get(run.step).map(|s| s.gate.describe());
                    op.status = OpStatus::Running(format!(
                        "{step}: {msg}; waiting for {}",
                        gate.unwrap_or_default()
                    ));
                }
                Err(e) => {
                    let why = format!("stopped at {step}: {e}");
                    state.notice = Some(format!("{title}: {why}"));
                    op.status = OpStatus::Failed(why);
                }
            }
        }
        _ => {
            state.notice = Some(match &result {
                Ok(msg) => format!("{title}: {msg}"),
                Err(e @ ClientError::OutcomeUnknown(_)) => format!("{title}: {e}"),
                Err(e) => format!("{title} failed: {e} — press the key again to retry"),
            });
            op.status = match result {
                Ok(msg) => OpStatus::Succeeded(msg),
                Err(e @ ClientError::OutcomeUnknown(_)) => OpStatus::Unknown(e.to_string()),
                Err(e) => OpStatus::Failed(e.to_string()),
            };
        }
    }
}

enum Check {
    Waiting(String),
    Passed,
    Failed(String),
}

/// Check the gate of every rollout that waits on one; send the next step where it holds.
pub fn advance(state: &mut State) -> Vec<Command> {
    let now = state.now;
    let mut commands = Vec::new();
    let mut notices = Vec::new();
    for i in 0..state.actions.operations.len() {
        let op = &state.actions.operations[i];
        let (Plan::Rollout(r), Some(run)) = (&op.plan, &op.run) else {
            continue;
        };
        let Some(since) = run.waiting_since else {
            continue;
        };
        if !matches!(op.status, OpStatus::Running(_)) {
            continue;
        }
        let Some(step) = r.steps.get(run.step) else {
            continue;
        };
        let (check, back_since) = check(state, &step.gate, run, now.duration_since(since));
        let last = run.step + 1 == r.steps.len();
        let name = step_name(r, run);
        let title = r.title.clone();
        let done = match step.gate {
            Gate::Accepted => format!("done: all {} steps accepted", r.steps.len()),
            _ => format!("done: {}", step.gate.describe()),
        };
        let op = &mut state.actions.operations[i];
        let before = op.status.clone();
        let Some(run) = op.run.as_mut() else { continue };
        run.back_since = back_since;
        match check {
            Check::Waiting(note) => op.status = OpStatus::Running(format!("{name}: {note}")),
            Check::Failed(why) => {
                let why = format!("stopped at {name}: {why}");
                notices.push(format!("{title}: {why}"));
                op.status = OpStatus::Failed(why);
            }
            Check::Passed if last => {
                notices.push(format!("{title}: {done}"));
                op.status = OpStatus::Succeeded(done);
            }
            Check::Passed => {
                run.step += 1;
                run.waiting_since = None;
                run.back_since = None;
                op.status = OpStatus::Sent;
                commands.extend(command_for(op));
            }
        }
        if op.status != before {
            state.dirty = true;
        }
    }
    if let Some(last) = notices.pop() {
        state.notice = Some(last);
    }
    commands
}

fn same_version(a: &str, b: &str) -> bool {
    match (Version::parse(a), Version::parse(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

fn check(
    state: &State,
    gate: &Gate,
    run: &RolloutRun,
    waited: SignedDuration,
) -> (Check, Option<Timestamp>) {
    match gate {
        Gate::Accepted => (Check::Passed, None),
        Gate::ControlPlaneAt {
            control_plane,
            cluster,
            version,
        } => {
            let Some(desired) = state
                .capi
                .control_planes
                .get(control_plane)
                .map(|c| c.replicas.desired)
            else {
                return (
                    Check::Failed(format!("{} is gone", control_plane.name)),
                    None,
                );
            };
            let machines = state.capi.machines.iter().filter(|m| {
                m.key.cluster == control_plane.cluster && m.cluster == *cluster && m.control_plane
            });
            (
                machines_check(machines, desired, version, waited, "control-plane "),
                None,
            )
        }
        Gate::DeploymentAt {
            deployment,
            cluster,
            version,
        } => {
            let Some(desired) = state
                .capi
                .deployments
                .get(deployment)
                .map(|d| d.replicas.desired)
            else {
                return (Check::Failed(format!("{} is gone", deployment.name)), None);
            };
            let machines = state.capi.machines.iter().filter(|m| {
                m.key.cluster == deployment.cluster
                    && m.cluster == *cluster
                    && m.deployment.as_deref() == Some(deployment.name.as_str())
            });
            (machines_check(machines, desired, version, waited, ""), None)
        }
        Gate::TalosNodeBack {
            node,
            version,
            before,
        } => node_check(state, node, version, before, run, waited),
    }
}

/// Every one of `desired` Machines Running at the version, and no old one left.
fn machines_check<'a>(
    machines: impl Iterator<Item = &'a crate::model::capi::MachineRow>,
    desired: i64,
    version: &str,
    waited: SignedDuration,
    what: &str,
) -> Check {
    let (mut done, mut total) = (0i64, 0i64);
    for m in machines {
        total += 1;
        if same_version(&m.version, version) && m.phase == "Running" && !m.deleting {
            done += 1;
        }
    }
    if done == desired && total == desired {
        return Check::Passed;
    }
    let progress = format!(
        "{done}/{desired} {what}Machines Running {version}, {} old or in progress",
        (total - done).max(0)
    );
    if waited > MACHINES_WITHIN {
        return Check::Failed(format!("not rolled after 30 min ({progress})"));
    }
    Check::Waiting(progress)
}

fn node_check(
    state: &State,
    node: &crate::model::store::ObjRef,
    version: &str,
    before: &crate::model::upgrade::NodeBefore,
    run: &RolloutRun,
    waited: SignedDuration,
) -> (Check, Option<Timestamp>) {
    let late = waited > NODE_BACK_WITHIN;
    let gone = |what: String| {
        if late {
            Check::Failed(format!("{} not back within 10 min ({what})", node.name))
        } else {
            Check::Waiting(what)
        }
    };
    let Some(row) = state.talos.nodes.get(node) else {
        return (gone("not polled yet".into()), None);
    };
    if let Some(e) = &row.error {
        return (gone(format!("rebooting, not answering ({e})")), None);
    }
    let rebooted = match (before.boot_time, row.boot_time) {
        (Some(b), Some(a)) => a > b,
        (Some(_), None) => false,
        // Nothing to compare with: the version alone has to tell.
        (None, _) => true,
    };
    let reported = row.talos_version.clone().unwrap_or_default();
    if !rebooted {
        return (
            gone(format!(
                "installing; still up since the last boot at {reported}"
            )),
            None,
        );
    }
    if !same_version(&reported, version) {
        return (
            Check::Failed(format!(
                "rebooted into {reported}, not {version}: the new image did not boot and Talos went back to the old one"
            )),
            None,
        );
    }
    let back = run.back_since.unwrap_or(state.now);
    let Some(expected) = before.etcd_members else {
        return (Check::Passed, Some(back));
    };
    let etcd = row.etcd.as_ref();
    let members = etcd.map_or(0, |e| e.members.len());
    let alarms = etcd.map_or(0, |e| e.errors.len());
    if members >= expected && alarms == 0 && etcd.is_some_and(|e| e.member_id != 0) {
        return (Check::Passed, Some(back));
    }
    let what = format!("back at {reported}; etcd {members}/{expected} members, {alarms} alarm(s)");
    if state.now.duration_since(back) > ETCD_GRACE {
        return (
            Check::Failed(format!("etcd not healthy 2 min after the reboot: {what}")),
            Some(back),
        );
    }
    (Check::Waiting(what), Some(back))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::Keymap;
    use crate::app::theme::{DEFAULT_THEME, Theme};
    use crate::model::capi::fixtures::{control_plane, deployment, machine};
    use crate::model::rollout::{ServedApis, kubernetes_upgrade};
    use crate::model::store::WatchUpdate;

    const APIS: ServedApis<'static> = ServedApis {
        control_plane: "v1alpha3",
        deployment: "v1beta2",
    };

    fn machines(cp_version: &str) -> WatchUpdate<crate::model::capi::MachineRow> {
        WatchUpdate::Relisted(
            "mgmt".into(),
            vec![
                machine("lab", "lab-cp-a", None, cp_version),
                machine("lab", "lab-w-a", Some("lab-workers"), "v1.33.2"),
            ],
        )
    }

    /// A state with the lab cluster's rows and one Kubernetes upgrade whose first step is out.
    fn rolling() -> State {
        let theme = Theme::parse("default", DEFAULT_THEME).expect("theme");
        let now = Timestamp::UNIX_EPOCH + SignedDuration::from_hours(1000);
        let mut s = State::new("mgmt".into(), false, Keymap::defaults(), theme, now);
        let cp = control_plane("lab", "v1.33.2", 1);
        let md = deployment("lab", "v1.33.2", 1);
        let plan = kubernetes_upgrade(&cp, &[&md], Version::parse("v1.34.0").expect("v"), APIS)
            .expect("plan");
        s.capi
            .control_planes
            .apply(WatchUpdate::Relisted("mgmt".into(), vec![cp]));
        s.capi
            .deployments
            .apply(WatchUpdate::Relisted("mgmt".into(), vec![md]));
        s.capi.machines.apply(machines("v1.33.2"));
        s.actions.operations.push(Operation {
            id: 7,
            at: now,
            plan: Plan::Rollout(plan),
            status: OpStatus::Sent,
            run: Some(RolloutRun {
                step: 0,
                waiting_since: None,
                back_since: None,
            }),
        });
        s
    }

    fn step(s: &State) -> usize {
        s.actions.operations[0].run.as_ref().map_or(99, |r| r.step)
    }

    #[test]
    fn the_next_step_is_sent_only_when_the_gate_holds() {
        let mut s = rolling();
        on_done(&mut s, 7, Ok("accepted".into()));
        assert!(matches!(
            s.actions.operations[0].status,
            OpStatus::Running(_)
        ));
        // The control plane's Machine still runs the old version: nothing is sent.
        assert!(advance(&mut s).is_empty());
        assert_eq!(step(&s), 0);
        // It rolled: the workers' request goes out.
        s.capi.machines.apply(machines("v1.34.0"));
        let sent = advance(&mut s);
        assert_eq!(step(&s), 1);
        match sent.as_slice() {
            [Command::Execute { id: 7, plan }] => {
                assert!(
                    plan.path().ends_with("machinedeployments/lab-workers"),
                    "{plan:?}"
                )
            }
            other => panic!("expected the workers' request, got {other:?}"),
        }
        // The server refuses it: the rollout stops there, in words.
        on_done(
            &mut s,
            7,
            Err(ClientError::Conflict("object was modified".into())),
        );
        match &s.actions.operations[0].status {
            OpStatus::Failed(why) => assert!(
                why.contains("step 2/2") && why.contains("conflict: object was modified"),
                "{why}"
            ),
            other => panic!("not failed: {other:?}"),
        }
        assert!(advance(&mut s).is_empty(), "nothing after a failure");
    }

    #[test]
    fn a_gate_that_never_holds_fails_after_its_time() {
        let mut s = rolling();
        on_done(&mut s, 7, Ok("accepted".into()));
        s.now += MACHINES_WITHIN + SignedDuration::from_secs(1);
        assert!(advance(&mut s).is_empty());
        match &s.actions.operations[0].status {
            OpStatus::Failed(why) => assert!(why.contains("not rolled after 30 min"), "{why}"),
            other => panic!("not failed: {other:?}"),
        }
    }
}
