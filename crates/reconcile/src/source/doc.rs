//! A JSON or TOML document: `{users: [{profile keys…}], groups: [{displayName, externalId?,
//! members: […]}]}`. Both formats are read into the same JSON value first, so they accept the
//! same documents.

use aws_ilm_scim::key;
use serde_json::{Map, Value};

use super::{
    GroupRecord, GroupSource, Profile, Records, SourceFormat, UserRecord, parse_active, problem,
    quote,
};

const TOP_KEYS: [&str; 2] = ["users", "groups"];
const GROUP_KEYS: [&str; 3] = ["displayName", "externalId", "members"];

pub(super) fn read(text: &str, format: SourceFormat, max_record_bytes: usize) -> Records {
    let mut out = Records::default();
    let parsed: Result<Value, String> = match format {
        SourceFormat::Toml => toml::from_str::<toml::Table>(text)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::to_value(t).map_err(|e| e.to_string())),
        _ => serde_json::from_str(text).map_err(|e| e.to_string()),
    };
    let doc = match parsed {
        Ok(Value::Object(m)) => m,
        Ok(_) => {
            out.problems.push(problem(
                "document",
                "expected an object {users: [...], groups: [...]}",
            ));
            return out;
        }
        Err(e) => {
            out.problems.push(problem(
                "document",
                format!("malformed {}: {e}", format.as_str()),
            ));
            return out;
        }
    };
    for k in doc
        .keys()
        .filter(|k| !TOP_KEYS.iter().any(|t| key::is(k, t)))
    {
        out.problems.push(problem(
            "document",
            format!("unknown key {} (expected users and groups)", quote(k)),
        ));
    }
    match key::get(&doc, "users") {
        None | Some(Value::Null) => {}
        Some(Value::Array(users)) => {
            for (i, u) in users.iter().enumerate() {
                read_user(&format!("users[{i}]"), u, max_record_bytes, &mut out);
            }
        }
        Some(_) => out
            .problems
            .push(problem("users", "expected an array of users")),
    }
    match key::get(&doc, "groups") {
        None | Some(Value::Null) => {}
        Some(Value::Array(groups)) => {
            let mut read = Vec::with_capacity(groups.len());
            for (i, g) in groups.iter().enumerate() {
                if let Some(g) = read_group(&format!("groups[{i}]"), g, &mut out) {
                    read.push(g);
                }
            }
            out.groups = GroupSource::Document(read);
        }
        Some(_) => out
            .problems
            .push(problem("groups", "expected an array of groups")),
    }
    out
}

fn read_user(at: &str, u: &Value, max_record_bytes: usize, out: &mut Records) {
    let Value::Object(fields) = u else {
        out.problems
            .push(problem(at, "expected an object of profile keys"));
        return;
    };
    if serde_json::to_string(u).map_or(0, |s| s.len()) > max_record_bytes {
        out.problems.push(problem(
            at,
            format!("user is longer than {max_record_bytes} bytes"),
        ));
        return;
    }
    let mut profile = Map::new();
    let mut active = true;
    for (k, v) in fields {
        if key::is(k, "active") {
            match parse_active(v) {
                Ok(a) => active = a,
                Err(why) => out.problems.push(problem(at, why)),
            }
            continue;
        }
        if !out.keys.iter().any(|have| have == k) {
            out.keys.push(k.clone());
        }
        if !is_empty(v) {
            profile.insert(k.clone(), v.clone());
        }
    }
    out.users.push(UserRecord {
        at: at.to_owned(),
        profile: Profile::new(&profile),
        active,
        groups: Vec::new(),
    });
}

/// A value that says "no value": it clears a provided attribute, as an empty CSV cell does.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A group entry; one with problems is still read, so its members are checked too.
fn read_group(at: &str, g: &Value, out: &mut Records) -> Option<GroupRecord> {
    let Value::Object(fields) = g else {
        out.problems.push(problem(
            at,
            "expected an object {displayName, externalId?, members}",
        ));
        return None;
    };
    for k in fields
        .keys()
        .filter(|k| !GROUP_KEYS.iter().any(|t| key::is(k, t)))
    {
        out.problems.push(problem(
            at,
            format!(
                "unknown key {} (expected displayName, externalId, members)",
                quote(k)
            ),
        ));
    }
    let display_name = match key::get(fields, "displayName") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            out.problems.push(problem(
                &format!("{at}.displayName"),
                "a group needs a displayName (a non-empty string)",
            ));
            String::new()
        }
    };
    let external_id = match key::get(fields, "externalId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            out.problems
                .push(problem(&format!("{at}.externalId"), "expected a string"));
            None
        }
    };
    let mut members = Vec::new();
    match key::get(fields, "members") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, m) in list.iter().enumerate() {
                match m {
                    Value::String(s) => members.push(s.clone()),
                    _ => {
                        out.problems.push(problem(
                            &format!("{at}.members[{i}]"),
                            "expected a userName or externalId (a string)",
                        ));
                    }
                }
            }
        }
        Some(_) => {
            out.problems.push(problem(
                &format!("{at}.members"),
                "expected an array of userNames or externalIds",
            ));
        }
    }
    Some(GroupRecord {
        at: at.to_owned(),
        display_name,
        external_id,
        members,
    })
}
