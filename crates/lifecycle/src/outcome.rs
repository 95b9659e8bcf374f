//! Results: the seed's context documents (`IAM.Vendor` + `IAM.UserProfile`, `GetGroup`, …) and
//! the human-readable tables built from them (`crate::table`, docs/output.md).
//!
//! Documents carry exactly the seed's keys. Each table is derived from its document by the
//! seed's rules: a user result shows the seed's columns (`brand|instanceName|success|active|id|
//! username|email|errorCode|errorMessage|details`, or `brand|instanceName|skipped|reason` when
//! skipped), a group result every key of its document in order, and in both a column whose
//! value is empty is left out. A user table's title follows the action actually taken
//! ("Update User Results (AWS-ILM)" for a create that found the user).
//!
//! `details` is never left empty where the seed fills it: a user result without a SCIM user
//! (not found, skipped, failed) carries the profile mapped by the outgoing mapper, as the
//! seed's `set_result` does; group results carry what the commands put there (the list
//! response of a name lookup that found nothing, the error text of a 404).

use aws_ilm_scim::key;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::table::Columns;
pub use crate::table::HumanTable;

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

/// The result of one command.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    /// The seed's context document: `{"IAM": {...}}`, `{"GetGroup": {...}}`, …
    pub context: Value,
    pub human: HumanTable,
    /// Tables printed after `human` (an `iam-get-user --with-groups`'s groups): the first
    /// table stays the seed's.
    pub more: Vec<HumanTable>,
}

impl Outcome {
    /// The result document inside [`Outcome::context`]: `IAM.Vendor` of a user command, the one
    /// object of a group command's or `test-module`'s (`GetGroup`, `TestModule`, …); `None` for a
    /// context that is not one result (`get-mapping-fields`). What a renderer shows field by field
    /// (docs/output.md, "Human output").
    pub fn result(&self) -> Option<&Value> {
        result_of(&self.context)
    }
}

/// [`Outcome::result`] of a context document alone: what a batch result line carries as its
/// `result`, read back by the binary's one-line form of it (docs/batch.md, "Results").
pub fn result_of(context: &Value) -> Option<&Value> {
    if let Some(vendor) = context.get("IAM").and_then(|iam| iam.get("Vendor")) {
        return Some(vendor);
    }
    let doc = context.as_object()?;
    match doc.values().next() {
        Some(v @ Value::Object(_)) if doc.len() == 1 => Some(v),
        _ => None,
    }
}

/// The seed's user-table columns (`IAMVendorActionResult.create_readable_outputs`).
const USER_COLUMNS: &[&str] = &[
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
];
/// ...and those of a skipped result.
const SKIPPED_COLUMNS: &[&str] = &["brand", "instanceName", "skipped", "reason"];

/// The seed's title for a user result: the action, capitalised, then "User Results (AWS-ILM)".
pub fn user_title(action: &str) -> String {
    let mut chars = action.chars();
    let first: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    format!("{first}{} User Results ({BRAND})", chars.as_str())
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
    /// `iam-get-user --with-groups`: the user's groups as `{id, displayName}`.
    pub groups: Option<Vec<Value>>,
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

    /// The outcome: `{"IAM": {"UserProfile": profile, "Vendor": {...}}}` and its table.
    /// `profile` is echoed as `IAM.UserProfile`; `mapped` gives the `details` of a result that
    /// has no SCIM user to show (the seed's `set_result`: "if not details: details = the
    /// mapped user profile"). An `email` the directory did not give is the profile's, as the
    /// seed's is.
    pub fn into_outcome(
        self,
        instance: &str,
        profile: &Map<String, Value>,
        mapped: impl FnOnce() -> Value,
    ) -> Outcome {
        let status = self.status.unwrap_or(Status::Success);
        let details = if crate::table::is_empty(&self.details) {
            mapped()
        } else {
            self.details
        };
        let email = self.email.or_else(|| profile_email(profile));
        // Built by moving the values in: `json!` would serialize `details` (the whole user)
        // into a copy, the largest cost of a batch event after the HTTP exchange.
        let text = |v: Option<String>| v.map_or(Value::Null, Value::String);
        let groups = self
            .groups
            .map(|g| (groups_table(self.username.as_deref(), &g), Value::Array(g)));
        let (groups_table, groups) = groups.unzip();
        let vendor: Map<String, Value> = [
            ("action", Value::from(self.action)),
            ("active", self.active.map_or(Value::Null, Value::Bool)),
            ("brand", Value::from(BRAND)),
            ("details", details),
            ("email", text(email)),
            (
                "errorCode",
                self.error_code.map_or(Value::Null, Value::from),
            ),
            ("errorMessage", Value::String(self.error_message)),
            // Only with `--with-groups`: without it the document is exactly the seed's.
            ("groups", groups.unwrap_or(Value::Null)),
            ("id", text(self.id)),
            ("instanceName", Value::from(instance)),
            ("reason", Value::String(self.reason)),
            ("skipped", Value::Bool(status == Status::Skipped)),
            ("success", Value::Bool(status != Status::Failed)),
            ("username", text(self.username)),
        ]
        .into_iter()
        .filter(|(k, v)| *k != "groups" || !v.is_null())
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let vendor = Value::Object(vendor);
        let columns = match status {
            Status::Skipped => SKIPPED_COLUMNS,
            Status::Success | Status::Failed => USER_COLUMNS,
        };
        let human =
            HumanTable::from_document(&user_title(self.action), &vendor, Columns::Only(columns));
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
            more: groups_table.into_iter().collect(),
        }
    }
}

/// The table of a user's groups (`iam-get-user --with-groups`), one row per `{id,
/// displayName}`, printed after the seed's user table.
fn groups_table(username: Option<&str>, groups: &[Value]) -> HumanTable {
    let cell = |g: &Value, k: &str| g.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    HumanTable {
        title: format!("Groups of {} ({BRAND})", username.unwrap_or("the user")),
        headers: vec!["id".into(), "displayName".into()],
        rows: groups
            .iter()
            .map(|g| vec![cell(g, "id"), cell(g, "displayName")])
            .collect(),
    }
}

/// The profile's `email` (exact key first, as the seed reads it, then any case), when it is
/// a non-empty string.
fn profile_email(profile: &Map<String, Value>) -> Option<String> {
    key::get(profile, "email")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
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
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// `key` is the document's name (`GetGroup`, …), `title` the seed's ("AWS Get Group:").
    /// The table shows every key of the document that has a value, in the document's order
    /// (alphabetical, the order of the seed's sorted headers).
    pub fn into_outcome(self, key: &str, title: &str, instance: &str) -> Outcome {
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
        let human = HumanTable::from_document(title, &doc, Columns::All);
        let mut context = Map::new();
        context.insert(key.to_owned(), doc);
        Outcome {
            status,
            context: Value::Object(context),
            human,
            more: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(String::as_str).collect()
    }

    fn no_mapping() -> Value {
        Value::Null
    }

    #[test]
    fn titles_follow_the_action() {
        assert_eq!(user_title("update"), "Update User Results (AWS-ILM)");
        assert_eq!(user_title("get"), "Get User Results (AWS-ILM)");
        assert_eq!(user_title(""), " User Results (AWS-ILM)");
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
        .into_outcome("inst", &Map::new(), no_mapping);
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
        assert_eq!(o.result(), Some(vendor));
        // The details cell keeps the server's key order.
        assert_eq!(
            o.human.to_markdown(),
            "### Create User Results (AWS-ILM)\n\
             |brand|instanceName|success|active|id|username|email|details|\n\
             |---|---|---|---|---|---|---|---|\n\
             | AWS-ILM | inst | true | false | 1 | test | a@b | id: 1<br/>userName: test<br/>active: false<br/>emails: {\"value\":\"a@b\",\"primary\":true} |\n"
        );
    }

    /// Regression (docs/output.md, "Tables: the seed's rules"): the seed's skipped table has no
    /// `success` column, and a failure shows no empty column (the old tables showed fixed columns,
    /// empty cells included).
    #[test]
    fn skipped_and_failed_tables_have_the_seed_columns() {
        let o = VendorResult {
            action: "disable",
            status: Some(Status::Skipped),
            reason: "User is already disabled.".into(),
            ..Default::default()
        }
        .into_outcome("i", &Map::new(), no_mapping);
        assert_eq!(
            o.human.headers,
            ["brand", "instanceName", "skipped", "reason"]
        );
        assert_eq!(o.context["IAM"]["Vendor"]["skipped"], true);
        assert_eq!(o.context["IAM"]["Vendor"]["success"], true);
        let profile = json!({"username": "u", "email": "u@x"});
        let o = VendorResult {
            action: "get",
            status: Some(Status::Failed),
            error_code: Some(404),
            error_message: "User does not exist".into(),
            ..Default::default()
        }
        .into_outcome(
            "i",
            profile.as_object().unwrap(),
            || json!({"userName": "u"}),
        );
        let vendor = &o.context["IAM"]["Vendor"];
        assert_eq!(vendor["success"], false);
        assert_eq!(vendor["errorCode"], 404);
        assert_eq!(vendor["email"], "u@x", "the profile's email, as the seed's");
        assert_eq!(
            vendor["details"],
            json!({"userName": "u"}),
            "the mapped profile"
        );
        assert_eq!(
            o.human.headers,
            [
                "brand",
                "instanceName",
                "success",
                "email",
                "errorCode",
                "errorMessage",
                "details"
            ]
        );
        assert_eq!(o.human.title, "Get User Results (AWS-ILM)");
    }

    #[test]
    fn group_document_has_exactly_the_seed_keys() {
        let o = GroupResult {
            id: Some("g".into()),
            display_name: Some("G|x".into()),
            details: json!({"members": [], "id": "g"}),
            members: json!([{"value": "u", "display": "ada"}]),
            ..Default::default()
        }
        .into_outcome("GetGroup", "AWS Get Group:", "i");
        assert_eq!(o.result(), Some(&o.context["GetGroup"]));
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
            "### AWS Get Group:\n|brand|details|displayName|id|instanceName|members|success|\n\
             |---|---|---|---|---|---|---|\n| AWS-ILM | members: <br/>id: g | G\\|x | g | i | \
             {\"value\":\"u\",\"display\":\"ada\"} | true |\n"
        );
    }
}
