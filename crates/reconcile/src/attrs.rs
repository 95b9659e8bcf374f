//! A user's attributes by path, kept as one compact JSON text.
//!
//! A plan at 100,000 users holds two of these per user (the source's and AWS's), and parsed
//! values are costly to keep: a `serde_json` object is an index map with its own table and key
//! strings, and every value slot is as large as the largest variant. Kept parsed, a user's
//! handful of paths cost about 1.5 KB on each side; as one JSON object in text (one allocation,
//! paths sorted) they cost the length of the text (docs/reconcile.md, "Benchmark"). The text is
//! parsed only where the values are used: once per matched user in the diff, and when a plan
//! file is written.
//!
//! [`Attrs`] iterates, compares and serialises exactly as a sorted map of path → value would,
//! so plan files keep their shape: an object whose keys are the paths in byte order.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Attribute path → value, sorted by path, at most one entry per path. `V` is what a value
/// reads back as: `Option<Value>` for the source's (JSON `null`, `None`, clears the attribute),
/// `Value` for AWS's.
pub struct Attrs<V> {
    /// A compact JSON object with its keys sorted; empty (no allocation) when there are none.
    text: Box<str>,
    value: PhantomData<fn() -> V>,
}

impl<V> Default for Attrs<V> {
    fn default() -> Self {
        Attrs {
            text: Box::default(),
            value: PhantomData,
        }
    }
}

impl<V> Clone for Attrs<V> {
    fn clone(&self) -> Self {
        Attrs {
            text: self.text.clone(),
            value: PhantomData,
        }
    }
}

impl<V> fmt::Debug for Attrs<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.text.is_empty() {
            "{}"
        } else {
            &self.text
        })
    }
}

impl<V: Serialize + DeserializeOwned> Attrs<V> {
    pub fn new() -> Self {
        Attrs::default()
    }

    /// The compact JSON object itself (`{}` when empty): two `Attrs` with the same text hold
    /// the same values, which lets a caller skip parsing both.
    pub fn as_json(&self) -> &str {
        if self.text.is_empty() {
            "{}"
        } else {
            &self.text
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn len(&self) -> usize {
        self.object().len()
    }

    /// The entries parsed, in path order: the one place the text is read back.
    pub fn to_vec(&self) -> Vec<(String, V)> {
        self.object()
            .into_iter()
            .filter_map(|(k, v)| Some((k, serde_json::from_value(v).ok()?)))
            .collect()
    }

    pub fn get(&self, path: &str) -> Option<V> {
        let mut object = self.object();
        let value = object.remove(path)?;
        serde_json::from_value(value).ok()
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.object().contains_key(path)
    }

    /// The paths, in order.
    pub fn keys(&self) -> Vec<String> {
        self.object().into_iter().map(|(k, _)| k).collect()
    }

    /// Sets `path` (replacing its value if present); the old value back, as a map's insert.
    /// Rewrites the text: for building and tests, not for loops over many users.
    pub fn insert(&mut self, path: String, value: V) -> Option<V> {
        let mut entries: BTreeMap<String, V> = self.to_vec().into_iter().collect();
        let old = entries.insert(path, value);
        *self = Attrs::encode(&entries);
        old
    }

    /// Removes `path`; its value back. Rewrites the text, as [`Attrs::insert`] does.
    pub fn remove(&mut self, path: &str) -> Option<V> {
        let mut entries: BTreeMap<String, V> = self.to_vec().into_iter().collect();
        let old = entries.remove(path);
        *self = Attrs::encode(&entries);
        old
    }

    /// The parsed object; a text that does not parse (never written by [`Attrs::encode`]) is
    /// read as empty rather than panicking.
    fn object(&self) -> Map<String, Value> {
        if self.text.is_empty() {
            return Map::new();
        }
        serde_json::from_str(&self.text).unwrap_or_default()
    }

    /// The text of sorted entries. A value that does not serialise (never: `V` is JSON) is
    /// left out.
    fn encode<K: AsRef<str>>(entries: &BTreeMap<K, V>) -> Self {
        if entries.is_empty() {
            return Attrs::default();
        }
        let object: Map<String, Value> = entries
            .iter()
            .filter_map(|(k, v)| Some((k.as_ref().to_owned(), serde_json::to_value(v).ok()?)))
            .collect();
        Attrs {
            text: serde_json::to_string(&object)
                .unwrap_or_default()
                .into_boxed_str(),
            value: PhantomData,
        }
    }
}

/// Builds from entries in any order; the last value of a repeated path is kept.
impl<K: AsRef<str> + Ord, V: Serialize + DeserializeOwned> FromIterator<(K, V)> for Attrs<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let entries: BTreeMap<String, V> = iter
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_owned(), v))
            .collect();
        Attrs::encode(&entries)
    }
}

impl<K: AsRef<str> + Ord, V: Serialize + DeserializeOwned> From<BTreeMap<K, V>> for Attrs<V> {
    fn from(map: BTreeMap<K, V>) -> Self {
        Attrs::encode(&map)
    }
}

/// Equal when they hold equal values: the same text, or texts that parse to equal objects
/// (an object value's keys may come in another order).
impl<V> PartialEq for Attrs<V> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text || {
            let parse = |t: &str| serde_json::from_str::<Map<String, Value>>(t).ok();
            !self.text.is_empty()
                && !other.text.is_empty()
                && parse(&self.text).is_some_and(|a| Some(a) == parse(&other.text))
        }
    }
}

/// Equal to a map with the same entries (tests state what they expect as a map).
impl<K: AsRef<str> + Ord, V: Serialize + DeserializeOwned + PartialEq> PartialEq<BTreeMap<K, V>>
    for Attrs<V>
{
    fn eq(&self, other: &BTreeMap<K, V>) -> bool {
        let mine = self.to_vec();
        mine.len() == other.len()
            && mine
                .iter()
                .zip(other)
                .all(|((k, v), (ok, ov))| k == ok.as_ref() && v == ov)
    }
}

impl<V: Serialize + DeserializeOwned> IntoIterator for &Attrs<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.to_vec().into_iter()
    }
}

impl<V: Serialize + DeserializeOwned> IntoIterator for Attrs<V> {
    type Item = (String, V);
    type IntoIter = std::vec::IntoIter<(String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.to_vec().into_iter()
    }
}

impl<V: Serialize + DeserializeOwned> Serialize for Attrs<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.object().serialize(s)
    }
}

impl<'de, V: Serialize + DeserializeOwned> Deserialize<'de> for Attrs<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let entries = BTreeMap::<String, V>::deserialize(d)?;
        Ok(Attrs::encode(&entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn behaves_and_serialises_as_the_sorted_map() {
        let pairs = [
            ("title", 1),
            ("emails", 2),
            ("name.givenName", 3),
            ("title", 4),
        ];
        let map: BTreeMap<String, i32> = pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect();
        let mut a: Attrs<i32> = pairs.iter().copied().collect();
        assert_eq!(a.len(), 3);
        assert_eq!(a.get("title"), Some(4));
        assert_eq!(a.get("emails"), Some(2));
        assert!(!a.contains_key("nickName"));
        assert_eq!(a, map);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        let back: Attrs<i32> = serde_json::from_value(json!({"b": 1, "a": 2})).unwrap();
        assert_eq!(back.keys(), ["a", "b"]);
        assert_eq!(a.insert("nickName".into(), 5), None);
        assert_eq!(a.insert("title".into(), 6), Some(4));
        assert_eq!(a.remove("emails"), Some(2));
        assert_eq!(
            a.into_iter().collect::<Vec<_>>(),
            vec![
                ("name.givenName".to_owned(), 3),
                ("nickName".to_owned(), 5),
                ("title".to_owned(), 6)
            ]
        );
    }

    #[test]
    fn a_cleared_value_reads_back_as_none_and_round_trips() {
        let none: Attrs<Option<Value>> = serde_json::from_str(r#"{"x": null}"#).unwrap();
        assert_eq!(none.get("x"), Some(None));
        assert!(none.contains_key("x"));
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"x":null}"#);
        let empty: Attrs<Value> = Attrs::new();
        assert!(empty.is_empty());
        assert_eq!(empty.as_json(), "{}");
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
        assert_eq!(
            empty,
            Attrs::<Value>::from_iter(Vec::<(String, Value)>::new())
        );
    }

    #[test]
    fn equal_values_in_another_key_order_are_equal() {
        let a: Attrs<Value> = [("emails", json!([{"value": "a", "primary": true}]))]
            .into_iter()
            .collect();
        let b: Attrs<Value> = [("emails", json!([{"primary": true, "value": "a"}]))]
            .into_iter()
            .collect();
        assert_ne!(a.as_json(), b.as_json());
        assert_eq!(a, b);
        let c: Attrs<Value> = [("emails", json!([{"primary": false, "value": "a"}]))]
            .into_iter()
            .collect();
        assert_ne!(a, c);
    }

    #[test]
    fn one_allocation_holds_a_users_values() {
        let a: Attrs<Option<Value>> = [
            ("userName", Some(json!("ada"))),
            ("emails", Some(json!([{"value": "ada@x", "type": "work"}]))),
            ("title", None),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            a.as_json(),
            r#"{"emails":[{"value":"ada@x","type":"work"}],"title":null,"userName":"ada"}"#
        );
        assert_eq!(std::mem::size_of::<Attrs<Value>>(), 16);
    }
}
