//! The filter subset AWS accepts (docs/emulator.md, "Filters"): `attr eq "value"`, optionally `and`
//! a second `attr eq "value"`. Nothing else — no `or`, `not`, `co`, `sw`, grouping or unquoted
//! values.
//!
//! Parsing is strict so that the emulator refuses what AWS refuses. Building escapes values the
//! RFC 7644 §3.4.2.2 way (a JSON string), so a `"` or `\` in a value can never change the filter:
//! `userName eq "a\" or \"1\" eq \"1"` is one clause whose value contains quotes.

use std::fmt;

use crate::ci::CiStr;

/// At most this many clauses (AWS: one, or two joined by `and`).
pub const MAX_CLAUSES: usize = 2;

/// One `attr eq "value"` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub attr: String,
    pub value: String,
}

/// A parsed filter: one or two `eq` clauses joined by `and`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub clauses: Vec<Clause>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    #[error("empty filter")]
    Empty,
    #[error("expected an attribute name at position {0}")]
    ExpectedAttribute(usize),
    #[error("unsupported operator '{0}': only 'eq' is supported")]
    UnsupportedOperator(String),
    #[error("expected a double-quoted string value at position {0}")]
    ExpectedString(usize),
    #[error("unterminated or invalid string value at position {0}")]
    BadString(usize),
    #[error("unsupported logical operator '{0}': only 'and' is supported")]
    UnsupportedLogical(String),
    #[error("at most {MAX_CLAUSES} clauses are supported")]
    TooManyClauses,
    #[error("unsupported filter attribute combination: {0}")]
    UnsupportedAttributes(String),
}

impl Filter {
    /// A one-clause filter.
    pub fn eq(attr: &str, value: &str) -> Self {
        Filter {
            clauses: vec![Clause {
                attr: attr.to_owned(),
                value: value.to_owned(),
            }],
        }
    }

    /// Adds a second clause.
    pub fn and(mut self, attr: &str, value: &str) -> Self {
        self.clauses.push(Clause {
            attr: attr.to_owned(),
            value: value.to_owned(),
        });
        self
    }

    /// Parses AWS's filter subset. Keywords are case-insensitive (RFC 7644 §3.4.2.2).
    pub fn parse(input: &str) -> Result<Self, FilterError> {
        let mut p = Parser { s: input, pos: 0 };
        p.skip_ws();
        if p.at_end() {
            return Err(FilterError::Empty);
        }
        let mut clauses = vec![p.clause()?];
        loop {
            let had_ws = p.skip_ws();
            if p.at_end() {
                break;
            }
            if !had_ws {
                return Err(FilterError::UnsupportedLogical(p.word().to_owned()));
            }
            let start = p.pos;
            let word = p.word();
            if !CiStr(word).eq(&CiStr("and")) {
                return Err(if word.is_empty() {
                    FilterError::ExpectedAttribute(start)
                } else {
                    FilterError::UnsupportedLogical(word.to_owned())
                });
            }
            if clauses.len() >= MAX_CLAUSES {
                return Err(FilterError::TooManyClauses);
            }
            if !p.skip_ws() {
                return Err(FilterError::ExpectedAttribute(p.pos));
            }
            clauses.push(p.clause()?);
        }
        Ok(Filter { clauses })
    }

    /// The value of the clause on `attr` (case-insensitive), if any.
    pub fn value_of(&self, attr: &str) -> Option<&str> {
        self.clauses
            .iter()
            .find(|c| CiStr(&c.attr) == CiStr(attr))
            .map(|c| c.value.as_str())
    }

    fn attrs(&self) -> String {
        self.clauses
            .iter()
            .map(|c| c.attr.as_str())
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

impl fmt::Display for Filter {
    /// Renders the filter with every value escaped as a JSON string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.clauses.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "{} eq ", c.attr)?;
            write_quoted(f, &c.value)?;
        }
        Ok(())
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    f.write_str("\"")?;
    for ch in v.chars() {
        match ch {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    /// Skips spaces; returns whether any were skipped.
    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        let trimmed = self.rest().trim_start_matches([' ', '\t']);
        self.pos = self.s.len() - trimmed.len();
        self.pos > start
    }

    /// A run of non-space, non-quote characters.
    fn word(&mut self) -> &'a str {
        let rest = self.rest();
        let end = rest.find([' ', '\t', '"']).unwrap_or(rest.len());
        self.pos += end;
        &rest[..end]
    }

    fn clause(&mut self) -> Result<Clause, FilterError> {
        let start = self.pos;
        let attr = self.word();
        if attr.is_empty() || !is_attr_path(attr) {
            return Err(FilterError::ExpectedAttribute(start));
        }
        if !self.skip_ws() {
            return Err(FilterError::UnsupportedOperator(self.word().to_owned()));
        }
        let op = self.word();
        if !CiStr(op).eq(&CiStr("eq")) {
            return Err(FilterError::UnsupportedOperator(op.to_owned()));
        }
        if !self.skip_ws() || !self.rest().starts_with('"') {
            return Err(FilterError::ExpectedString(self.pos));
        }
        let value = self.string()?;
        Ok(Clause {
            attr: attr.to_owned(),
            value,
        })
    }

    /// A JSON string literal starting at the current `"`.
    fn string(&mut self) -> Result<String, FilterError> {
        let start = self.pos;
        let bytes = self.rest().as_bytes();
        let mut i = 1;
        let mut escaped = false;
        while i < bytes.len() {
            match bytes[i] {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => break,
                _ => {}
            }
            i += 1;
        }
        if i >= bytes.len() {
            return Err(FilterError::BadString(start));
        }
        let literal = &self.rest()[..=i];
        let value: String =
            serde_json::from_str(literal).map_err(|_| FilterError::BadString(start))?;
        self.pos += i + 1;
        Ok(value)
    }
}

/// `name` or `name.sub`, ASCII letters, digits, `_`, `$`, `-` (RFC 7643 §2.1 ATTRNAME).
fn is_attr_path(s: &str) -> bool {
    let mut parts = s.split('.');
    let ok = |p: &str| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '-'))
    };
    let first = parts.next().is_some_and(ok);
    let second = parts.next().is_none_or(ok);
    first && second && parts.next().is_none()
}

/// The ListUsers filters AWS accepts (docs/emulator.md, "Filters").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserQuery {
    UserName(String),
    ExternalId(String),
    /// Users that are members of the group with this id.
    GroupsValue(String),
    Id(String),
    IdAndManager {
        id: String,
        manager: String,
    },
}

impl UserQuery {
    /// Maps a parsed filter onto the combinations AWS allows on `/Users`; anything else is the
    /// 400 AWS answers.
    pub fn from_filter(f: &Filter) -> Result<Self, FilterError> {
        let attr = |i: usize| f.clauses.get(i).map(|c| c.attr.as_str());
        let is = |a: Option<&str>, name: &str| a.is_some_and(|a| CiStr(a) == CiStr(name));
        let v = |i: usize| f.clauses[i].value.clone();
        match f.clauses.len() {
            1 if is(attr(0), "userName") => Ok(UserQuery::UserName(v(0))),
            1 if is(attr(0), "externalId") => Ok(UserQuery::ExternalId(v(0))),
            1 if is(attr(0), "groups.value") => Ok(UserQuery::GroupsValue(v(0))),
            1 if is(attr(0), "id") => Ok(UserQuery::Id(v(0))),
            2 if is(attr(0), "id") && is(attr(1), "manager") => Ok(UserQuery::IdAndManager {
                id: v(0),
                manager: v(1),
            }),
            2 if is(attr(0), "manager") && is(attr(1), "id") => Ok(UserQuery::IdAndManager {
                id: v(1),
                manager: v(0),
            }),
            _ => Err(FilterError::UnsupportedAttributes(f.attrs())),
        }
    }

    pub fn to_filter(&self) -> Filter {
        match self {
            UserQuery::UserName(v) => Filter::eq("userName", v),
            UserQuery::ExternalId(v) => Filter::eq("externalId", v),
            UserQuery::GroupsValue(v) => Filter::eq("groups.value", v),
            UserQuery::Id(v) => Filter::eq("id", v),
            UserQuery::IdAndManager { id, manager } => Filter::eq("id", id).and("manager", manager),
        }
    }
}

/// The ListGroups filters AWS accepts (docs/emulator.md, "Filters").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupQuery {
    DisplayName(String),
    ExternalId(String),
    /// Groups that the user with this id belongs to.
    MembersValue(String),
    /// "Is `member` in group `id`?"
    IdAndMembers {
        id: String,
        member: String,
    },
}

impl GroupQuery {
    /// Maps a parsed filter onto the combinations AWS allows on `/Groups`.
    pub fn from_filter(f: &Filter) -> Result<Self, FilterError> {
        let attr = |i: usize| f.clauses.get(i).map(|c| c.attr.as_str());
        let is = |a: Option<&str>, name: &str| a.is_some_and(|a| CiStr(a) == CiStr(name));
        let is_member = |a: Option<&str>| is(a, "members") || is(a, "members.value");
        let v = |i: usize| f.clauses[i].value.clone();
        match f.clauses.len() {
            1 if is(attr(0), "displayName") => Ok(GroupQuery::DisplayName(v(0))),
            1 if is(attr(0), "externalId") => Ok(GroupQuery::ExternalId(v(0))),
            1 if is(attr(0), "members.value") => Ok(GroupQuery::MembersValue(v(0))),
            2 if is(attr(0), "id") && is_member(attr(1)) => Ok(GroupQuery::IdAndMembers {
                id: v(0),
                member: v(1),
            }),
            2 if is_member(attr(0)) && is(attr(1), "id") => Ok(GroupQuery::IdAndMembers {
                id: v(1),
                member: v(0),
            }),
            _ => Err(FilterError::UnsupportedAttributes(f.attrs())),
        }
    }

    pub fn to_filter(&self) -> Filter {
        match self {
            GroupQuery::DisplayName(v) => Filter::eq("displayName", v),
            GroupQuery::ExternalId(v) => Filter::eq("externalId", v),
            GroupQuery::MembersValue(v) => Filter::eq("members.value", v),
            GroupQuery::IdAndMembers { id, member } => Filter::eq("id", id).and("members", member),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_one_and_two_clauses() {
        let f = Filter::parse(r#"userName eq "ada@example.com""#).unwrap();
        assert_eq!(f, Filter::eq("userName", "ada@example.com"));
        let f = Filter::parse(r#"id eq "g1" AND members EQ "u1""#).unwrap();
        assert_eq!(f.clauses.len(), 2);
        assert_eq!(f.value_of("MEMBERS"), Some("u1"));
    }

    #[test]
    fn refuses_everything_outside_the_subset() {
        for bad in [
            "",
            "userName",
            r#"userName co "a""#,
            r#"userName eq a"#,
            r#"userName eq "a" or userName eq "b""#,
            r#"userName eq "a" and id eq "b" and externalId eq "c""#,
            r#"(userName eq "a")"#,
            r#"not userName eq "a""#,
            r#"userName eq "unterminated"#,
            r#"userName eq "a"and id eq "b""#,
            r#"emails[type eq "work"].value eq "a""#,
            r#"userName pr"#,
            r#"userName eq "a" "b""#,
        ] {
            assert!(Filter::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn injection_stays_inside_the_value() {
        let evil = r#"a" or "1" eq "1"#;
        let built = Filter::eq("userName", evil).to_string();
        let back = Filter::parse(&built).unwrap();
        assert_eq!(back, Filter::eq("userName", evil));
        assert!(Filter::parse(r#"userName eq "a" or "1" eq "1""#).is_err());
    }

    #[test]
    fn aws_combinations() {
        let q = |s: &str| UserQuery::from_filter(&Filter::parse(s).unwrap());
        assert_eq!(q(r#"USERNAME eq "x""#), Ok(UserQuery::UserName("x".into())));
        assert!(matches!(
            q(r#"manager eq "m" and id eq "i""#),
            Ok(UserQuery::IdAndManager { .. })
        ));
        assert!(q(r#"displayName eq "x""#).is_err());
        assert!(q(r#"userName eq "x" and externalId eq "y""#).is_err());
        let g = |s: &str| GroupQuery::from_filter(&Filter::parse(s).unwrap());
        assert_eq!(
            g(r#"members eq "u" and id eq "g""#),
            Ok(GroupQuery::IdAndMembers {
                id: "g".into(),
                member: "u".into()
            })
        );
        assert!(g(r#"userName eq "x""#).is_err());
        assert!(g(r#"members eq "x""#).is_err());
    }

    proptest! {
        #[test]
        fn any_value_round_trips(v in any::<String>(), attr in "[a-zA-Z][a-zA-Z0-9]{0,10}(\\.[a-z]{1,5})?") {
            let f = Filter::eq(&attr, &v);
            prop_assert_eq!(Filter::parse(&f.to_string()).unwrap(), f);
        }

        #[test]
        fn two_clauses_round_trip(a in any::<String>(), b in any::<String>()) {
            let f = Filter::eq("id", &a).and("members", &b);
            prop_assert_eq!(Filter::parse(&f.to_string()).unwrap(), f);
        }

        #[test]
        fn no_input_panics(s in any::<String>()) {
            let _ = Filter::parse(&s);
        }

        #[test]
        fn no_filterish_input_panics(s in "[a-zA-Z. \"\\\\()]{0,40}") {
            let _ = Filter::parse(&s);
        }
    }
}
