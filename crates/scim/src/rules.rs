//! Attribute rules AWS enforces (docs/schema.md), shared so that the client can explain locally
//! what the server would refuse and the emulator refuses exactly that.
//!
//! Lengths and character classes come from the Identity Store model behind the SCIM endpoint:
//! userName 1–128 visible characters, other strings 1–1024 with spaces allowed, externalId 1–256.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::ci::CiStr;
use crate::group::Group;
use crate::lookalike;
use crate::schema::{self, Attribute, Mutability, Type};
use crate::urn;
use crate::user::User;

pub const USER_NAME_MAX: usize = 128;
pub const STRING_MAX: usize = 1024;
pub const EXTERNAL_ID_MAX: usize = 256;
/// AWS: CreateGroup takes at most 100 members.
pub const MAX_CREATE_MEMBERS: usize = 100;
/// Reserved by IAM Identity Center. A name that looks like one of these is refused as well
/// ([`crate::lookalike`]).
pub const RESERVED_USER_NAMES: [&str; 2] = ["Administrator", "AWSAdministrators"];

// The patterns are literals checked by the unit tests below; `Regex::new` cannot fail on them.
#[allow(clippy::expect_used)]
static VISIBLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$").expect("static pattern"));
#[allow(clippy::expect_used)]
static TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u{00a0}\u{3000}]+$").expect("static pattern")
});
#[allow(clippy::expect_used)]
static GROUP_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u{00a0}]+$").expect("static pattern")
});

/// Why a resource breaks AWS's rules. The message names the attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("attribute '{0}' is required")]
    Required(String),
    #[error("attribute '{0}' is not supported")]
    Unsupported(String),
    #[error("attribute '{name}' must have length between 1 and {max}")]
    Length { name: String, max: usize },
    #[error("attribute '{0}' contains characters that are not allowed")]
    Charset(String),
    #[error("List attribute {0} exceeds allowed limit of 1")]
    TooMany(String),
    #[error("the email must be marked primary")]
    EmailNotPrimary,
    #[error("userName '{0}' is reserved or looks like a reserved name")]
    Reserved(String),
    #[error("at most {MAX_CREATE_MEMBERS} members may be given when creating a group")]
    TooManyMembers,
    #[error("attribute '{name}' has the wrong type: {why}")]
    Type { name: String, why: String },
}

fn check(name: &str, v: &str, max: usize, re: &Regex) -> Result<(), RuleError> {
    let n = v.chars().count();
    if n == 0 || n > max {
        return Err(RuleError::Length {
            name: name.to_owned(),
            max,
        });
    }
    if !re.is_match(v) {
        return Err(RuleError::Charset(name.to_owned()));
    }
    Ok(())
}

pub fn check_user_name(v: &str) -> Result<(), RuleError> {
    check("userName", v, USER_NAME_MAX, &VISIBLE)?;
    if RESERVED_USER_NAMES
        .iter()
        .any(|r| lookalike::looks_like(v, r))
    {
        return Err(RuleError::Reserved(v.to_owned()));
    }
    Ok(())
}

pub fn check_text(name: &str, v: &str) -> Result<(), RuleError> {
    check(name, v, STRING_MAX, &TEXT)
}

pub fn check_external_id(v: &str) -> Result<(), RuleError> {
    check("externalId", v, EXTERNAL_ID_MAX, &VISIBLE)
}

pub fn check_group_display_name(v: &str) -> Result<(), RuleError> {
    check("displayName", v, STRING_MAX, &GROUP_TEXT)
}

/// The attributes one level of a body may hold.
type Level = &'static [Attribute];

fn find(levels: &[Level], key: &str) -> Option<&'static Attribute> {
    levels
        .iter()
        .flat_map(|l| l.iter())
        .find(|a| CiStr(a.name) == CiStr(key))
}

/// Renames the keys of one object, and of the complex attributes below, to their canonical
/// spelling; unknown keys are kept as sent so that [`check_user_keys`] can name them.
fn canon_keys(v: &mut Value, levels: &[Level]) {
    let Some(map) = v.as_object_mut() else {
        return;
    };
    let renamed: serde_json::Map<String, Value> = std::mem::take(map)
        .into_iter()
        .map(|(k, mut v)| match find(levels, &k) {
            Some(a) => {
                canon_within(&mut v, a);
                (a.name.to_owned(), v)
            }
            None => (k, v),
        })
        .collect();
    *map = renamed;
}

/// What the server owns (`meta`) is neither renamed nor checked below its top level.
fn writable_complex(a: &Attribute) -> bool {
    a.kind == Type::Complex && a.mutability == Mutability::ReadWrite
}

fn canon_within(v: &mut Value, a: &Attribute) {
    if !writable_complex(a) {
        return;
    }
    match v {
        Value::Array(items) if a.multi_valued => items
            .iter_mut()
            .for_each(|i| canon_keys(i, &[a.sub_attributes])),
        Value::Object(_) if !a.multi_valued => canon_keys(v, &[a.sub_attributes]),
        _ => {}
    }
}

/// Rewrites the attribute names of a User body to their canonical spelling at every level, so
/// `USERNAME` and `userName` are read alike (RFC 7643 §2.1: attribute names are
/// case-insensitive).
pub fn canonicalize_user(v: &mut Value) {
    canon_keys(v, &user_levels());
}

/// The Group counterpart of [`canonicalize_user`].
pub fn canonicalize_group(v: &mut Value) {
    canon_keys(v, &group_levels());
}

fn user_levels() -> [Level; 3] {
    [
        schema::COMMON,
        schema::USER.attributes,
        std::slice::from_ref(&schema::ENTERPRISE_BLOCK),
    ]
}

fn group_levels() -> [Level; 2] {
    [schema::COMMON, schema::GROUP.attributes]
}

/// Checks that `obj` is an object holding only keys of `levels`, and the same below each
/// writable complex attribute. `prefix` names where `obj` is (`name.`), for the message.
fn check_keys(obj: &Value, prefix: &str, levels: &[Level]) -> Result<(), RuleError> {
    let Some(map) = obj.as_object() else {
        return Err(RuleError::Type {
            name: prefix.trim_end_matches('.').to_owned(),
            why: "expected an object".into(),
        });
    };
    let mut below = Vec::new();
    for (k, v) in map {
        match find(levels, k) {
            None => return Err(RuleError::Unsupported(format!("{prefix}{k}"))),
            Some(a) if writable_complex(a) && !v.is_null() => below.push((a, v)),
            Some(_) => {}
        }
    }
    for (a, v) in below {
        let name = format!("{prefix}{}", a.name);
        let subs = [a.sub_attributes];
        match v {
            Value::Array(items) if a.multi_valued => items
                .iter()
                .try_for_each(|i| check_keys(i, &format!("{name}."), &subs))?,
            _ if a.multi_valued => {
                return Err(RuleError::Type {
                    name,
                    why: "expected an array".into(),
                });
            }
            _ => check_keys(v, &format!("{name}."), &subs)?,
        }
    }
    Ok(())
}

/// Refuses keys AWS does not support (ims, photos, password, groups, `display` sub-attributes,
/// `manager.displayName`, anything unknown) before the body is read into a [`User`].
pub fn check_user_keys(body: &Value) -> Result<(), RuleError> {
    check_keys(body, "", &user_levels())
}

/// Refuses keys a Group body may not carry (members.display, anything unknown).
pub fn check_group_keys(body: &Value) -> Result<(), RuleError> {
    check_keys(body, "", &group_levels())
}

/// The rules of CreateUser and PutUser (docs/schema.md): the attributes the table marks
/// required, then everything [`validate_optional`] checks.
pub fn validate_user(u: &User) -> Result<(), RuleError> {
    match &u.user_name {
        Some(n) => check_user_name(n)?,
        None => return Err(RuleError::Required("userName".into())),
    }
    let doc = document(u)?;
    required(Some(&doc), schema::USER.attributes, "")?;
    validate_optional(u)
}

/// Rules that hold for any stored user, also after a PATCH: lengths, characters and
/// cardinality of whatever is present, walking the attribute table.
pub fn validate_optional(u: &User) -> Result<(), RuleError> {
    if let Some(n) = &u.user_name {
        check_user_name(n)?;
    }
    if let Some(x) = &u.external_id {
        check_external_id(x)?;
    }
    let doc = document(u)?;
    let (lists, singles): (Vec<&Attribute>, Vec<&Attribute>) =
        schema::USER.attributes.iter().partition(|a| a.multi_valued);
    texts(&doc, singles, "", false)?;
    for a in &lists {
        if doc
            .get(a.name)
            .and_then(Value::as_array)
            .is_some_and(|l| l.len() > 1)
        {
            return Err(RuleError::TooMany(a.name.to_owned()));
        }
    }
    for a in &lists {
        let Some(first) = doc
            .get(a.name)
            .and_then(Value::as_array)
            .and_then(|l| l.first())
        else {
            continue;
        };
        // An element's required sub-attributes (`emails.value`) are required once it exists.
        texts(first, a.sub_attributes, &format!("{}.", a.name), true)?;
        if a.name == "emails" && first.get("primary") != Some(&Value::Bool(true)) {
            return Err(RuleError::EmailNotPrimary);
        }
    }
    if let Some(ent) = doc.get(urn::ENTERPRISE_USER) {
        let prefix = format!("{}:", urn::ENTERPRISE_USER);
        texts(ent, schema::ENTERPRISE_USER.attributes, &prefix, false)?;
    }
    Ok(())
}

/// The user as the JSON the table describes.
fn document(u: &User) -> Result<Value, RuleError> {
    serde_json::to_value(u).map_err(|e| RuleError::Type {
        name: "user".into(),
        why: e.to_string(),
    })
}

/// Refuses a required attribute that is missing below `obj`; a required complex attribute is
/// reported by its first missing required sub-attribute (`name.givenName`).
fn required(obj: Option<&Value>, attrs: &[Attribute], prefix: &str) -> Result<(), RuleError> {
    for a in attrs.iter().filter(|a| a.required && !a.multi_valued) {
        let name = format!("{prefix}{}", a.name);
        let v = obj.and_then(|o| o.get(a.name)).filter(|v| !v.is_null());
        match (a.kind, v) {
            (Type::Complex, v) => required(v, a.sub_attributes, &format!("{name}."))?,
            (_, None) => return Err(RuleError::Required(name)),
            (_, Some(_)) => {}
        }
    }
    Ok(())
}

/// Checks the length and characters of every string attribute present in `obj`, descending
/// into single-valued complex ones. `userName` and `externalId` have rules of their own
/// (checked by the caller); references (`$ref`) are not text.
fn texts<'a>(
    obj: &Value,
    attrs: impl IntoIterator<Item = &'a Attribute>,
    prefix: &str,
    enforce_required: bool,
) -> Result<(), RuleError> {
    for a in attrs {
        if matches!(a.name, "userName" | "externalId") {
            continue;
        }
        let name = format!("{prefix}{}", a.name);
        match (a.kind, obj.get(a.name)) {
            (_, None | Some(Value::Null)) if enforce_required && a.required => {
                return Err(RuleError::Required(name));
            }
            (Type::String, Some(Value::String(v))) => check_text(&name, v)?,
            (Type::Complex, Some(v)) if !a.multi_valued => {
                texts(v, a.sub_attributes, &format!("{name}."), enforce_required)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The rules of CreateGroup: a display name, a valid externalId, at most 100 members.
pub fn validate_group(g: &Group) -> Result<(), RuleError> {
    match &g.display_name {
        Some(n) => check_group_display_name(n)?,
        None => return Err(RuleError::Required("displayName".into())),
    }
    if let Some(x) = &g.external_id {
        check_external_id(x)?;
    }
    if g.members
        .as_ref()
        .is_some_and(|m| m.len() > MAX_CREATE_MEMBERS)
    {
        return Err(RuleError::TooManyMembers);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(v: Value) -> User {
        serde_json::from_value(v).unwrap()
    }

    fn ada() -> Value {
        json!({"userName": "ada", "displayName": "Ada L", "name": {"givenName": "Ada", "familyName": "L"},
               "emails": [{"value": "ada@example.com", "type": "work", "primary": true}]})
    }

    #[test]
    fn user_name_rules() {
        assert!(check_user_name("ada@example.com").is_ok());
        assert!(check_user_name("Ådå_ü+1").is_ok());
        assert!(check_user_name("has space").is_err());
        assert!(check_user_name("").is_err());
        assert!(check_user_name(&"a".repeat(129)).is_err());
        assert!(check_user_name(&"é".repeat(128)).is_ok());
        assert!(matches!(
            check_user_name("administrator"),
            Err(RuleError::Reserved(_))
        ));
        assert!(check_text("displayName", "Ada\u{00a0}Lovelace\u{3000}x").is_ok());
        assert!(check_text("displayName", "bell\u{7}").is_err());
        assert!(check_group_display_name("a\u{3000}b").is_err());
    }

    #[test]
    fn create_rules() {
        assert!(validate_user(&user(ada())).is_ok());
        let mut v = ada();
        v["name"] = json!({"givenName": "Ada"});
        assert_eq!(
            validate_user(&user(v)),
            Err(RuleError::Required("name.familyName".into()))
        );
        let mut v = ada();
        v["emails"][0]["primary"] = json!(false);
        assert_eq!(validate_user(&user(v)), Err(RuleError::EmailNotPrimary));
        let mut v = ada();
        v["emails"] = json!([{"value": "a@x", "primary": true}, {"value": "b@x"}]);
        assert_eq!(
            validate_user(&user(v)),
            Err(RuleError::TooMany("emails".into()))
        );
        let mut v = ada();
        v["title"] = json!("");
        assert!(matches!(
            validate_user(&user(v)),
            Err(RuleError::Length { .. })
        ));
    }

    #[test]
    fn unsupported_keys() {
        assert!(check_user_keys(&ada()).is_ok());
        for (k, val) in [
            ("ims", json!([])),
            ("password", json!("x")),
            ("groups", json!([])),
            ("photos", json!([])),
            ("bogus", json!(1)),
        ] {
            let mut v = ada();
            v[k] = val;
            assert_eq!(check_user_keys(&v), Err(RuleError::Unsupported(k.into())));
        }
        let mut v = ada();
        v["emails"][0]["display"] = json!("x");
        assert_eq!(
            check_user_keys(&v),
            Err(RuleError::Unsupported("emails.display".into()))
        );
        let mut v = ada();
        v[urn::ENTERPRISE_USER] = json!({"manager": {"value": "m", "displayName": "M"}});
        assert!(check_user_keys(&v).is_err());
        assert!(
            check_group_keys(
                &json!({"displayName": "g", "members": [{"value": "u", "display": "x"}]})
            )
            .is_err()
        );
    }
}
