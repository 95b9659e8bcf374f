//! The plan file on disk (docs/reconcile.md, "The plan file"): made from a diff, saved
//! atomically and privately, read back with a size bound and a clear refusal of anything that
//! is not a plan of this format, and bound to the directory it was made against.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use aws_ilm_batch::Target;
use aws_ilm_lifecycle::bounded::{self, Limit, ReadError};
use serde::Deserialize;

use crate::diff::Diff;
use crate::model::{Counts, Desired};
use crate::options::Options;
use crate::plan::{FORMAT, MAGIC, Plan, PlanFileError};

/// Largest plan file read: 1 GiB. A plan of 100,000 users with every attribute changed is far
/// below it; a file beyond it is not a plan this tool wrote, and reading it would only exhaust
/// memory.
pub const MAX_PLAN_BYTES: u64 = 1 << 30;

impl Plan {
    /// The plan of `diff`, made from `desired` with `options` against `target`.
    pub fn new(diff: Diff, desired: Desired, options: Options, target: &Target) -> Plan {
        Plan {
            format: FORMAT,
            endpoint: target.endpoint.clone(),
            tenant: target.tenant.clone(),
            options,
            summary: Counts::of(&diff.changes),
            changes: diff.changes,
            notes: diff.notes,
            desired,
        }
    }

    /// The directory the plan was made against.
    pub fn target(&self) -> Target {
        Target::new(&self.endpoint, &self.tenant)
    }

    /// Refuses to apply the plan to a directory other than the one it was made against.
    pub fn check_target(&self, run: &Target) -> Result<(), PlanFileError> {
        let mut differences = Vec::new();
        if self.endpoint != run.endpoint {
            differences.push(format!(
                "the endpoint differs (plan: {}, this run: {})",
                self.endpoint, run.endpoint
            ));
        }
        if self.tenant != run.tenant {
            differences.push(format!(
                "the tenant differs (plan: {}, this run: {})",
                self.tenant, run.tenant
            ));
        }
        if differences.is_empty() {
            Ok(())
        } else {
            Err(PlanFileError::OtherDirectory { differences })
        }
    }

    /// Reads a plan file, at most [`MAX_PLAN_BYTES`]. A JSON document without the
    /// `aws-ilm-plan` key is "not a plan"; one with another format number says so.
    pub fn load(path: &Path) -> Result<Plan, PlanFileError> {
        let p = || path.display().to_string();
        let read = |e: std::io::Error| PlanFileError::Read {
            path: p(),
            reason: e.to_string(),
        };
        let file = File::open(path).map_err(read)?;
        let limit = Limit {
            bytes: MAX_PLAN_BYTES,
            what: "a plan file",
        };
        let bytes = bounded::read_bytes(file, limit).map_err(|e| match e {
            ReadError::TooLarge(_) => PlanFileError::TooLarge {
                path: p(),
                limit: MAX_PLAN_BYTES,
            },
            e => PlanFileError::Read {
                path: p(),
                reason: e.to_string(),
            },
        })?;
        Plan::from_bytes(&bytes, &p())
    }

    /// Parses a plan document; `path` names it in errors.
    pub fn from_bytes(bytes: &[u8], path: &str) -> Result<Plan, PlanFileError> {
        /// Only the marker, so a foreign or future document is named as such rather than
        /// reported by its first missing field.
        #[derive(Deserialize)]
        struct Probe {
            #[serde(rename = "aws-ilm-plan")]
            format: Option<serde_json::Value>,
        }
        let not_a_plan = |reason: String| PlanFileError::NotAPlan {
            path: path.to_owned(),
            reason,
        };
        // A struct also deserialises from a JSON array; a plan is an object.
        if bytes.trim_ascii_start().first() != Some(&b'{') {
            return Err(not_a_plan("not a JSON object".into()));
        }
        let probe: Probe = serde_json::from_slice(bytes).map_err(|e| not_a_plan(e.to_string()))?;
        match probe.format.as_ref().map(serde_json::Value::as_u64) {
            None => return Err(not_a_plan(format!("no \"{MAGIC}\" key"))),
            Some(None) => return Err(not_a_plan(format!("\"{MAGIC}\" is not a format number"))),
            Some(Some(found)) if found != FORMAT => {
                return Err(PlanFileError::Format {
                    path: path.to_owned(),
                    found,
                });
            }
            Some(Some(_)) => {}
        }
        serde_json::from_slice(bytes).map_err(|e| not_a_plan(e.to_string()))
    }

    /// Writes the plan readable (indented JSON) to a temporary file in the same directory, syncs
    /// it and renames it over `path`, so a reader never sees half a plan. Mode 0600 on Unix: the
    /// plan holds the users' attributes.
    pub fn save(&self, path: &Path) -> Result<(), PlanFileError> {
        let write = |reason: String| PlanFileError::Write {
            path: path.display().to_string(),
            reason,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        // tempfile creates the file with mode 0600 on Unix.
        let tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| write(e.to_string()))?;
        {
            let mut out = BufWriter::new(tmp.as_file());
            serde_json::to_writer_pretty(&mut out, self).map_err(|e| write(e.to_string()))?;
            out.write_all(b"\n").map_err(|e| write(e.to_string()))?;
            out.flush().map_err(|e| write(e.to_string()))?;
        }
        tmp.as_file().sync_all().map_err(|e| write(e.to_string()))?;
        tmp.persist(path).map_err(|e| write(e.error.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Change;

    fn plan() -> Plan {
        let diff = Diff {
            changes: vec![Change::CreateGroup {
                display_name: "Eng".into(),
                external_id: None,
            }],
            notes: vec![],
        };
        Plan::new(
            diff,
            Desired::default(),
            Options::default(),
            &Target::new("http://127.0.0.1:1/scim/v2/", "t1"),
        )
    }

    #[test]
    fn a_saved_plan_loads_back_equal_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let p = plan();
        assert_eq!(p.summary.groups_created, 1);
        p.save(&path).unwrap();
        assert_eq!(Plan::load(&path).unwrap(), p);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Saving again replaces it.
        p.save(&path).unwrap();
        assert_eq!(Plan::load(&path).unwrap(), p);
    }

    #[test]
    fn foreign_documents_and_other_formats_are_refused_by_name() {
        let e = Plan::from_bytes(b"[1,2]", "x").unwrap_err();
        assert!(matches!(e, PlanFileError::NotAPlan { .. }), "{e}");
        let e = Plan::from_bytes(b"{\"users\": []}", "x").unwrap_err();
        assert!(e.to_string().contains("no \"aws-ilm-plan\" key"), "{e}");
        let e = Plan::from_bytes(b"{\"aws-ilm-plan\": 2}", "x").unwrap_err();
        assert!(matches!(e, PlanFileError::Format { found: 2, .. }), "{e}");
        let e = Plan::from_bytes(b"{\"aws-ilm-plan\": 1}", "x").unwrap_err();
        assert!(matches!(e, PlanFileError::NotAPlan { .. }), "{e}");
        let e = Plan::load(Path::new("/nonexistent/plan.json")).unwrap_err();
        assert!(matches!(e, PlanFileError::Read { .. }), "{e}");
    }

    #[test]
    fn a_plan_for_another_directory_is_refused_naming_what_differs() {
        let p = plan();
        assert!(p.check_target(&p.target()).is_ok());
        let e = p
            .check_target(&Target::new("http://127.0.0.1:1/scim/v2/", "t2"))
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("tenant differs") && !text.contains("endpoint"),
            "{text}"
        );
    }
}
