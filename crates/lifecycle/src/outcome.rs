//! Results: the seed's context documents (`IAM.Vendor` + `IAM.UserProfile`, `GetGroup`, …) and
//! its human-readable markdown tables.
//!
//! Documents carry exactly the seed's keys. Human tables use the seed's titles and columns on
//! success; for the other cases aws-ilm decides (the seed relied on XSOAR helpers):
//! - a failed user command shows `brand|instanceName|success|active|id|username|email|errorCode|errorMessage|details`
//!   (the columns of XSOAR's IAMUserProfile failure table);
//! - a skipped user command shows `brand|instanceName|success|skipped|reason`;
//! - a failed group command shows the success columns plus `errorCode|errorMessage`.
//!
//! Cells render JSON compactly (`{"a":1}`), never as Python reprs; `details` cells list
//! `key: value` pairs joined by `<br/>`, as the seed's do.

use serde::Serialize;
use serde_json::{Map, Value, json};

/// The integration's brand, as the seed reports it.
pub const BRAND: &str = "AWS-ILM";

/// How a command ended. Exit status 0 for success and skipped, 1 for failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Success,
    Skipped,
    Failed,
}

/// A markdown table: `### title`, a header row, rows of cells (already rendered text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HumanTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl HumanTable {
    fn new(title: &str, headers: &[&str], rows: Vec<Vec<String>>) -> Self {
        HumanTable {
            title: title.to_owned(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows,
        }
    }

    /// One row whose cells are the named fields of `doc`, in header order.
    fn from_doc(title: &str, headers: &[&str], doc: &Value) -> Self {
        let row = headers
            .iter()
            .map(|h| match *h {
                "details" => details_cell(&doc[*h]),
                _ => cell(&doc[*h]),
            })
            .collect();
        HumanTable::new(title, headers, vec![row])
    }

    /// The seed's "Human Readable Output": `### title`, then a pipe table.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("### {}\n", self.title);
        out.push_str(&format!("|{}|\n", self.headers.join("|")));
        out.push_str(&format!(
            "|{}|\n",
            vec!["---"; self.headers.len()].join("|")
        ));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

/// The result of one command.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// The seed's context document: `{"IAM": {...}}`, `{"GetGroup": {...}}`, …
    pub context: Value,
    pub human: HumanTable,
}

/// A cell: strings raw, null empty, everything else compact JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The seed's `details` cell: `key: value<br/>key: value`; a list shows its items joined by
/// `, `; anything that is not an object is a plain cell.
pub fn details_cell(v: &Value) -> String {
    let Value::Object(m) = v else {
        return cell(v);
    };
    // Written into one string: every result builds this cell (the batch profile showed the
    // per-item strings among its larger costs).
    let mut out = String::with_capacity(64 * m.len());
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            out.push_str("<br/>");
        }
        out.push_str(k);
        out.push_str(": ");
        match v {
            Value::Array(items) => {
                for (j, item) in items.iter().enumerate() {
                    if j > 0 {
                        out.push_str(", ");
                    }
                    push_cell(&mut out, item);
                }
            }
            other => push_cell(&mut out, other),
        }
    }
    out
}

/// [`cell`], appended to `out`.
fn push_cell(out: &mut String, v: &Value) {
    use std::fmt::Write;
    match v {
        Value::Null => {}
        Value::String(s) => out.push_str(s),
        // Writing to a String cannot fail.
        other => {
            let _ = write!(out, "{other}");
        }
    }
}

/// A cell must not break the table: pipes escaped, newlines as `<br/>`.
fn escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", "<br/>")
        .replace('\n', "<br/>")
}

// ---- user results (IAM.Vendor) -----------------------------------------------------------------

/// Everything an `IAM.Vendor` document says.
#[derive(Debug, Clone, Default)]
pub(crate) struct VendorResult {
    pub action: &'static str,
    pub status: Option<Status>,
    pub active: Option<bool>,
    pub id: Option<String>,
    pub username: Option<String>,
    pub email: Option<String>,
    pub details: Value,
    pub error_code: Option<u16>,
    pub error_message: String,
    pub reason: String,
}

impl VendorResult {
    /// Fills `active`, `id`, `username`, `email` and `details` from a SCIM user.
    pub fn with_user(self, user: &Value) -> Self {
        self.with_owned_user(user.clone())
    }

    /// [`VendorResult::with_user`], keeping the user itself as `details` (no copy).
    pub fn with_owned_user(mut self, user: Value) -> Self {
        self.active = user.get("active").and_then(Value::as_bool);
        self.id = user.get("id").and_then(Value::as_str).map(str::to_owned);
        self.username = user
            .get("userName")
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.email = primary_email(&user);
        self.details = user;
        self
    }

    /// The outcome: `{"IAM": {"UserProfile": profile, "Vendor": {...}}}` and the table.
    pub fn into_outcome(
        self,
        title: &str,
        with_email: bool,
        instance: &str,
        profile: &Map<String, Value>,
    ) -> Outcome {
        let status = self.status.unwrap_or(Status::Success);
        // Built by moving the values in: `json!` would serialize `details` (the whole user)
        // into a copy, the largest cost of a batch event after the HTTP exchange.
        let text = |v: Option<String>| v.map_or(Value::Null, Value::String);
        let vendor: Map<String, Value> = [
            ("action", Value::from(self.action)),
            ("active", self.active.map_or(Value::Null, Value::Bool)),
            ("brand", Value::from(BRAND)),
            ("details", self.details),
            ("email", text(self.email)),
            (
                "errorCode",
                self.error_code.map_or(Value::Null, Value::from),
            ),
            ("errorMessage", Value::String(self.error_message)),
            ("id", text(self.id)),
            ("instanceName", Value::from(instance)),
            ("reason", Value::String(self.reason)),
            ("skipped", Value::Bool(status == Status::Skipped)),
            ("success", Value::Bool(status != Status::Failed)),
            ("username", text(self.username)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let vendor = Value::Object(vendor);
        let headers: &[&str] = match status {
            Status::Success if with_email => &[
                "brand",
                "instanceName",
                "success",
                "active",
                "id",
                "username",
                "email",
                "details",
            ],
            Status::Success => &[
                "brand",
                "instanceName",
                "success",
                "active",
                "id",
                "username",
                "details",
            ],
            Status::Skipped => &["brand", "instanceName", "success", "skipped", "reason"],
            Status::Failed => &[
                "brand",
                "instanceName",
                "success",
                "active",
                "id",
                "username",
                "email",
                "errorCode",
                "errorMessage",
                "details",
            ],
        };
        let human = HumanTable::from_doc(title, headers, &vendor);
        Outcome {
            status,
            context: object([(
                "IAM",
                object([
                    ("UserProfile", Value::Object(profile.clone())),
                    ("Vendor", vendor),
                ]),
            )]),
            human,
        }
    }
}

fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn primary_email(user: &Value) -> Option<String> {
    let emails = user.get("emails")?.as_array()?;
    emails
        .iter()
        .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| emails.first())
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

// ---- group results (GetGroup, CreateGroup, UpdateGroup, DeleteGroup) ---------------------------

/// Everything a group document says.
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupResult {
    pub status: Option<Status>,
    pub id: Option<String>,
    pub display_name: Option<String>,
    pub details: Value,
    pub members: Value,
    pub error_code: Option<u16>,
    pub error_message: Option<String>,
}

impl GroupResult {
    /// `key` is the document's name (`GetGroup`, …); `title` the seed's ("AWS Get Group:");
    /// `with_name` whether the seed's table has a `displayName` column (get and create).
    pub fn into_outcome(self, key: &str, title: &str, with_name: bool, instance: &str) -> Outcome {
        let status = self.status.unwrap_or(Status::Success);
        let doc = json!({
            "active": null,
            "brand": BRAND,
            "details": self.details,
            "displayName": self.display_name,
            "email": null,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "id": self.id,
            "instanceName": instance,
            "members": self.members,
            "success": status != Status::Failed,
            "username": null,
        });
        let mut headers: Vec<&str> = if with_name {
            vec![
                "brand",
                "details",
                "displayName",
                "id",
                "instanceName",
                "success",
            ]
        } else {
            vec!["brand", "details", "id", "instanceName", "success"]
        };
        if status == Status::Failed {
            headers.extend(["errorCode", "errorMessage"]);
        }
        let human = HumanTable::from_doc(title, &headers, &doc);
        let mut context = Map::new();
        context.insert(key.to_owned(), doc);
        Outcome {
            status,
            context: Value::Object(context),
            human,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    #[test]
    fn details_cell_lists_pairs_and_items() {
        let user = json!({
            "active": true, "emails": [{"value": "a@x", "primary": true}, "b@x"],
            "id": "u-1", "meta": null, "name": {"givenName": "Ada"}, "tags": []
        });
        assert_eq!(
            details_cell(&user),
            "active: true<br/>emails: {\"primary\":true,\"value\":\"a@x\"}, b@x<br/>id: u-1\
             <br/>meta: <br/>name: {\"givenName\":\"Ada\"}<br/>tags: "
        );
        assert_eq!(details_cell(&json!("plain")), "plain");
        assert_eq!(details_cell(&json!({})), "");
    }

    #[test]
    fn vendor_document_has_exactly_the_seed_keys() {
        let user = json!({"id": "1", "userName": "test", "active": false,
                          "emails": [{"value": "a@b", "primary": true}]});
        let o = VendorResult {
            action: "create",
            ..Default::default()
        }
        .with_user(&user)
        .into_outcome("Create User Results (AWS-ILM)", true, "inst", &Map::new());
        let vendor = &o.context["IAM"]["Vendor"];
        assert_eq!(
            keys(vendor),
            [
                "action",
                "active",
                "brand",
                "details",
                "email",
                "errorCode",
                "errorMessage",
                "id",
                "instanceName",
                "reason",
                "skipped",
                "success",
                "username"
            ]
        );
        assert_eq!(keys(&o.context["IAM"]), ["UserProfile", "Vendor"]);
        assert_eq!(vendor["errorCode"], Value::Null);
        assert_eq!(vendor["errorMessage"], "");
        assert_eq!(o.status, Status::Success);
        assert_eq!(
            o.human.to_markdown(),
            "### Create User Results (AWS-ILM)\n\
             |brand|instanceName|success|active|id|username|email|details|\n\
             |---|---|---|---|---|---|---|---|\n\
             | AWS-ILM | inst | true | false | 1 | test | a@b | active: false<br/>emails: {\"primary\":true,\"value\":\"a@b\"}<br/>id: 1<br/>userName: test |\n"
        );
    }

    #[test]
    fn skipped_and_failed_tables() {
        let o = VendorResult {
            action: "disable",
            status: Some(Status::Skipped),
            reason: "User is already disabled.".into(),
            ..Default::default()
        }
        .into_outcome("Disable User Results (AWS-ILM)", false, "i", &Map::new());
        assert_eq!(
            o.human.headers,
            ["brand", "instanceName", "success", "skipped", "reason"]
        );
        assert_eq!(o.context["IAM"]["Vendor"]["skipped"], true);
        assert_eq!(o.context["IAM"]["Vendor"]["success"], true);
        let o = VendorResult {
            action: "get",
            status: Some(Status::Failed),
            error_code: Some(404),
            error_message: "User does not exist".into(),
            ..Default::default()
        }
        .into_outcome("Get User Results (AWS-ILM)", false, "i", &Map::new());
        assert_eq!(o.context["IAM"]["Vendor"]["success"], false);
        assert_eq!(o.context["IAM"]["Vendor"]["errorCode"], 404);
        assert!(o.human.headers.contains(&"errorMessage".to_owned()));
    }

    #[test]
    fn group_document_has_exactly_the_seed_keys() {
        let o = GroupResult {
            id: Some("g".into()),
            display_name: Some("G|x".into()),
            details: json!({"members": [], "id": "g"}),
            ..Default::default()
        }
        .into_outcome("GetGroup", "AWS Get Group:", true, "i");
        assert_eq!(
            keys(&o.context["GetGroup"]),
            [
                "active",
                "brand",
                "details",
                "displayName",
                "email",
                "errorCode",
                "errorMessage",
                "id",
                "instanceName",
                "members",
                "success",
                "username"
            ]
        );
        assert_eq!(
            o.human.to_markdown(),
            "### AWS Get Group:\n|brand|details|displayName|id|instanceName|success|\n\
             |---|---|---|---|---|---|\n| AWS-ILM | id: g<br/>members:  | G\\|x | g | i | true |\n"
        );
    }
}
