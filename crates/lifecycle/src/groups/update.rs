//! `iam-update-group`: member changes in PATCH requests of at most 100 changes each (AWS:
//! PatchGroup takes at most 100 member changes; the seed's per-call cap becomes a batch size).
//!
//! Changes are taken in order — adds first, then removes — and cut into batches of
//! [`MAX_MEMBER_CHANGES`]; a batch may hold both an `add` and a `remove` operation, so 250
//! changes are 3 PATCHes whatever their mix. A failing batch does not stop the others: the result
//! says which members were applied and which failed, with the server's error for them — nothing
//! is silently dropped. `success` is true only when every change applied.
//!
//! **Isolating bad members.** A PatchGroup is all or nothing (AWS answers 404 "Member … does not
//! exist." for one unknown member and applies none of the 100; `docs/emulator.md`). So when a
//! PATCH fails with a 4xx other than 401/403/429 — a problem with the request's content, not
//! with the service — its changes are split in halves and each half is sent again, recursively,
//! depth first (left half first, so results keep the caller's order). The good members end up
//! applied and exactly the bad ones are reported failed, each with the error of the one-change
//! PATCH that isolated it. This is safe because member changes are idempotent (adding a member,
//! removing a non-member are no-ops), so a half resent after a failure cannot apply twice.
//!
//! Cost: a batch of n changes with k bad ones costs at most 2·k·⌈log₂ n⌉ extra PATCHes (each
//! bad member fails at every level of its path down the halving tree, and each failed node costs
//! its two halves): 14 per bad member in a full batch of 100. Bisecting a batch where every
//! change is bad would cost 2·n − 2, so the extra PATCHes of the whole command are capped at n
//! (the number of changes): the total stays at most batches + n ≤ 2·n requests. A part that fails
//! once the budget is spent is reported failed as it is, with its own error.
//!
//! Not bisected: a 5xx, a 429 or a connection failure (after the client's own retries) is the
//! service's problem, so that batch is reported failed as before. A connection failure before
//! anything was applied stops the command (exit 3); after that, it is reported as the failure of
//! the remaining parts so the applied part is not lost. A missing group is not bisected either:
//! a 404 whose detail names the group (or, for a 404 naming neither a member nor the group, a
//! GetGroup that finds nothing) fails every remaining change with "Group Not Found" and no
//! further PATCH is sent.

use aws_ilm_client::PatchOp;
use aws_ilm_scim::patch::MAX_MEMBER_CHANGES;
use aws_ilm_scim::{Op, PatchOperation};
use serde_json::{Value, json};

use crate::Ilm;
use crate::command::Command;
use crate::error::{Failure, IlmError, InputError, classify};
use crate::groups::{UPDATE, finish, group_failure, resolve_id, response_details, scim_text};
use crate::outcome::{GroupResult, Outcome, Status};

/// One member change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub op: Op,
    pub member: String,
}

/// Adds then removes, cut into batches of at most [`MAX_MEMBER_CHANGES`].
pub fn batches(add: &[String], remove: &[String]) -> Vec<Vec<Change>> {
    let changes: Vec<Change> = add
        .iter()
        .map(|m| Change {
            op: Op::Add,
            member: m.clone(),
        })
        .chain(remove.iter().map(|m| Change {
            op: Op::Remove,
            member: m.clone(),
        }))
        .collect();
    changes
        .chunks(MAX_MEMBER_CHANGES)
        .map(<[Change]>::to_vec)
        .collect()
}

/// The PatchOp for one batch: one `add` and/or one `remove` on `members` with value lists.
pub fn patch_for(batch: &[Change]) -> PatchOp {
    let mut ops = Vec::with_capacity(2);
    for op in [Op::Add, Op::Remove] {
        let values: Vec<Value> = batch
            .iter()
            .filter(|c| c.op == op)
            .map(|c| json!({"value": c.member}))
            .collect();
        if !values.is_empty() {
            ops.push(PatchOperation::new(
                op,
                Some("members"),
                Some(Value::Array(values)),
            ));
        }
    }
    PatchOp::new(ops)
}

/// What one failed PATCH says about the changes it carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The group is not there: no change can apply, do not bisect, send nothing more.
    GroupGone,
    /// A problem with the request's content (some member): the halves may apply.
    Bisect,
    /// The service's problem (5xx, 429, transport) or nothing to split: report as it is.
    Report,
}

/// Sorts a failed PATCH (see the module docs). A 404 naming a member is the content; a 404
/// naming the group is the group; any other 404 asks the directory once whether the group is
/// there (a GetGroup only on this rare path, never on the happy one).
async fn verdict(ilm: &Ilm, id: &str, f: &Failure) -> Verdict {
    match f.code {
        // AWS: 401/403 never reach here (classify stops the command); 429 is throttling.
        Some(429) | None => Verdict::Report,
        Some(404) => {
            let lower = f.message.to_ascii_lowercase();
            if lower.starts_with("member") {
                Verdict::Bisect
            } else if lower.contains("group") {
                Verdict::GroupGone
            } else {
                match ilm.client().get_group(id).await {
                    Ok(None) => Verdict::GroupGone,
                    Ok(Some(_)) => Verdict::Bisect,
                    Err(_) => Verdict::Report,
                }
            }
        }
        Some(c) if (400..500).contains(&c) => Verdict::Bisect,
        Some(_) => Verdict::Report,
    }
}

/// The command's tally while its batches are sent.
#[derive(Default)]
struct Tally {
    added: Vec<String>,
    removed: Vec<String>,
    failures: Vec<Value>,
    requests: Vec<Value>,
    first_failure: Option<Failure>,
    errors: Vec<String>,
}

impl Tally {
    fn applied(&mut self, part: Vec<Change>) {
        for c in part {
            match c.op {
                Op::Remove => self.removed.push(c.member),
                _ => self.added.push(c.member),
            }
        }
    }

    fn failed(&mut self, part: &[Change], f: &Failure) {
        let names = |op: Op| {
            part.iter()
                .filter(|c| c.op == op)
                .map(|c| c.member.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut which = Vec::new();
        for (op, label) in [(Op::Add, "add"), (Op::Remove, "remove")] {
            let n = names(op);
            if !n.is_empty() {
                which.push(format!("{label} {n}"));
            }
        }
        let noun = if part.len() == 1 { "change" } else { "changes" };
        self.errors.push(format!(
            "PATCH of {} {noun} ({}) failed: {}",
            part.len(),
            which.join("; "),
            f.message
        ));
        for c in part {
            self.failures.push(json!({
                "value": c.member, "op": c.op.as_str(),
                "errorCode": f.code, "errorMessage": f.message,
            }));
        }
        self.first_failure.get_or_insert_with(|| f.clone());
    }
}

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let scim = cmd.scim.as_ref().ok_or(InputError::Missing("scim"))?;
    let id = match resolve_id(ilm, scim).await? {
        Ok(id) => id,
        Err(r) => return Ok(finish(ilm, &UPDATE, r)),
    };
    let batches = batches(&cmd.members_to_add, &cmd.members_to_delete);
    // The bisection budget: at most one extra PATCH per change in the command, so the total
    // is at most batches + n ≤ 2·n (module docs).
    let mut budget: usize = batches.iter().map(Vec::len).sum();
    let mut t = Tally::default();
    let mut gone: Option<Failure> = None;
    for batch in batches {
        // Depth first, left half before right, so results keep the caller's order.
        let mut stack = vec![batch];
        while let Some(part) = stack.pop() {
            if let Some(f) = &gone {
                t.failed(&part, f);
                continue;
            }
            let f = match ilm.client().patch_group(&id, &patch_for(&part)).await {
                Ok(info) => {
                    let mut r = response_details(&info);
                    r["changes"] = json!(part.len());
                    t.requests.push(r);
                    t.applied(part);
                    continue;
                }
                Err(e) => {
                    let nothing_applied = t.added.is_empty() && t.removed.is_empty();
                    match classify(e) {
                        Ok(f) => f,
                        Err(stop) if nothing_applied => return Err(stop),
                        // After the client's own retries: the rest is reported failed so the
                        // applied part is not lost.
                        Err(IlmError::Connection(e)) => Failure {
                            code: e.status(),
                            message: e.to_string(),
                        },
                        Err(other) => return Err(other),
                    }
                }
            };
            t.requests
                .push(json!({"status": f.code, "changes": part.len(), "error": f.message}));
            match verdict(ilm, &id, &f).await {
                Verdict::GroupGone => {
                    let f = group_failure(Failure {
                        code: Some(404),
                        ..f
                    });
                    t.failed(&part, &f);
                    gone = Some(f);
                }
                Verdict::Bisect if part.len() > 1 && budget >= 2 => {
                    budget -= 2;
                    let mut left = part;
                    let right = left.split_off(left.len() / 2);
                    stack.push(right);
                    stack.push(left);
                }
                Verdict::Bisect | Verdict::Report => t.failed(&part, &f),
            }
        }
    }
    let details = json!({
        "added": t.added,
        "removed": t.removed,
        "failed": t.failures,
        "requests": t.requests,
    });
    let result = GroupResult {
        status: t.first_failure.as_ref().map(|_| Status::Failed),
        id: Some(id),
        display_name: scim_text(scim, "displayName"),
        details,
        error_code: t.first_failure.as_ref().and_then(|f| f.code),
        error_message: t.first_failure.map(|_| t.errors.join("; ")),
        ..Default::default()
    };
    Ok(finish(ilm, &UPDATE, result))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: Option<u16>, message: &str) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// Every verdict, against a real emulator: the fallback GetGroup (a 404 naming neither a
    /// member nor the group, which the emulator itself never sends) included.
    #[tokio::test]
    async fn verdicts_bisect_content_errors_only() {
        use aws_ilm_client::{ClientConfig, Endpoint, ScimClient};
        let emu = aws_ilm_emulator::spawn(aws_ilm_emulator::Config::ephemeral())
            .await
            .unwrap();
        let client = ScimClient::new(ClientConfig::new(
            Endpoint::parse(&emu.root_url(), &emu.tenant_id).unwrap(),
            emu.token.clone(),
        ))
        .unwrap();
        let g = client
            .create_group(&json!({"displayName": "V"}))
            .await
            .unwrap();
        let gid = g["id"].as_str().unwrap().to_owned();
        let ghost = "66666666-6666-6666-6666-666666666666";
        let ilm = Ilm::new(client, crate::IlmSettings::default());
        let cases = [
            (
                Some(404),
                "Member x does not exist. (request id r)",
                Verdict::Bisect,
            ),
            (Some(404), "Group Not Found", Verdict::GroupGone),
            (Some(400), "Invalid value", Verdict::Bisect),
            (Some(409), "Conflict", Verdict::Bisect),
            (Some(429), "Rate exceeded", Verdict::Report),
            (Some(500), "Internal", Verdict::Report),
            (Some(503), "Unavailable", Verdict::Report),
            (None, "cannot decode", Verdict::Report),
        ];
        for (code, msg, want) in cases {
            assert_eq!(
                verdict(&ilm, &gid, &failure(code, msg)).await,
                want,
                "{code:?} {msg}"
            );
        }
        let vague = failure(Some(404), "Resource not found");
        assert_eq!(verdict(&ilm, &gid, &vague).await, Verdict::Bisect);
        assert_eq!(verdict(&ilm, ghost, &vague).await, Verdict::GroupGone);
    }

    #[test]
    fn two_hundred_fifty_changes_are_three_batches_of_at_most_100() {
        let add: Vec<String> = (0..200).map(|i| format!("a{i}")).collect();
        let rm: Vec<String> = (0..50).map(|i| format!("r{i}")).collect();
        let b = batches(&add, &rm);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [100, 100, 50]);
        let mixed = batches(&add[..150], &rm);
        let p = patch_for(&mixed[1]);
        assert_eq!(p.operations.len(), 2);
        assert_eq!(
            p.operations[0]
                .value
                .as_ref()
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            50
        );
        assert_eq!(p.operations[1].op, Op::Remove);
    }
}
