//! `iam-update-group`: member changes in PATCH requests of at most 100 changes each (AWS:
//! PatchGroup takes at most 100 member changes; the seed's per-call cap becomes a batch size).
//!
//! Changes are taken in order — adds first, then removes — and cut into batches of
//! [`MAX_MEMBER_CHANGES`]; a batch may hold both an `add` and a `remove` operation, so 250
//! changes are 3 PATCHes whatever their mix. A failing batch does not stop the others: the result
//! says which members were applied and which failed, with the error of the PATCH they were in —
//! nothing is silently dropped. `success` is true only when every change applied. A connection
//! failure before anything was applied stops the command (exit 3); after that, it is reported
//! as the failure of the remaining batches so the applied part is not lost.

use aws_ilm_client::PatchOp;
use aws_ilm_scim::patch::MAX_MEMBER_CHANGES;
use aws_ilm_scim::{Op, PatchOperation};
use serde_json::{Value, json};

use crate::Ilm;
use crate::command::Command;
use crate::error::{Failure, IlmError, InputError, classify};
use crate::groups::{
    UPDATE, failed, finish, group_failure, resolve_id, response_details, scim_text,
};
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

pub(crate) async fn run(ilm: &Ilm, cmd: &Command) -> Result<Outcome, IlmError> {
    let scim = cmd.scim.clone().ok_or(InputError::Missing("scim"))?;
    let id = match resolve_id(ilm, &scim).await? {
        Ok(id) => id,
        Err(f) => return Ok(finish(ilm, &UPDATE, failed(&scim, group_failure(f)))),
    };
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut failures: Vec<Value> = Vec::new();
    let mut requests: Vec<Value> = Vec::new();
    let mut first_failure: Option<Failure> = None;
    let mut batch_errors: Vec<String> = Vec::new();
    for batch in batches(&cmd.members_to_add, &cmd.members_to_delete) {
        match ilm.client().patch_group(&id, &patch_for(&batch)).await {
            Ok(info) => {
                let mut r = response_details(&info);
                r["changes"] = json!(batch.len());
                requests.push(r);
                for c in batch {
                    match c.op {
                        Op::Remove => removed.push(c.member),
                        _ => added.push(c.member),
                    }
                }
            }
            Err(e) => {
                let nothing_applied = added.is_empty() && removed.is_empty();
                let f = match classify(e) {
                    Ok(f) => group_failure(f),
                    Err(stop) if nothing_applied => return Err(stop),
                    Err(IlmError::Connection(e)) => Failure {
                        code: e.status(),
                        message: e.to_string(),
                    },
                    Err(other) => return Err(other),
                };
                requests
                    .push(json!({"status": f.code, "changes": batch.len(), "error": f.message}));
                let names = |op: Op| {
                    batch
                        .iter()
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
                batch_errors.push(format!(
                    "PATCH of {} changes ({}) failed: {}",
                    batch.len(),
                    which.join("; "),
                    f.message
                ));
                for c in &batch {
                    failures.push(json!({
                        "value": c.member, "op": c.op.as_str(),
                        "errorCode": f.code, "errorMessage": f.message,
                    }));
                }
                first_failure.get_or_insert(f);
            }
        }
    }
    let details = json!({
        "added": added,
        "removed": removed,
        "failed": failures,
        "requests": requests,
    });
    let result = GroupResult {
        status: first_failure.as_ref().map(|_| Status::Failed),
        id: Some(id),
        display_name: scim_text(&scim, "displayName"),
        details,
        error_code: first_failure.as_ref().and_then(|f| f.code),
        error_message: first_failure.map(|_| batch_errors.join("; ")),
        ..Default::default()
    };
    Ok(finish(ilm, &UPDATE, result))
}

#[cfg(test)]
mod tests {
    use super::*;

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
