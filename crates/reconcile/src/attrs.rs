//! A user's attributes by path, compact: a plan at 100,000 users holds two of these per user
//! (the source's and AWS's), and a `BTreeMap` spends a whole B-tree leaf (about 1 KB) on the
//! handful of paths a user has (docs/reconcile.md, "Benchmark"). [`Attrs`] is a `Vec` kept
//! sorted by path, so it iterates, compares and serialises exactly as that map did (plan files
//! are unchanged), and the paths the SCIM schema knows are borrowed from one shared table
//! instead of each user owning a copy of each name.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::marker::PhantomData;
use std::ops::Index;
use std::sync::LazyLock;

use aws_ilm_scim::{schema, urn};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A path as an [`Attrs`] keeps it: borrowed from [`KNOWN`] when the schema has it.
pub type Key = Cow<'static, str>;

/// Every path the schema gives a user, sorted: the top-level attributes, `name.<sub>` and
/// `<enterprise urn>:<sub>`, as the lifecycle's PATCH paths spell them.
static KNOWN: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut out: Vec<String> = schema::user_keys().map(|a| a.name.to_owned()).collect();
    if let Some(name) = schema::USER.attribute("name") {
        out.extend(
            name.sub_attributes
                .iter()
                .map(|s| format!("name.{}", s.name)),
        );
    }
    out.extend(
        schema::ENTERPRISE_USER
            .attributes
            .iter()
            .map(|a| format!("{}:{}", urn::ENTERPRISE_USER, a.name)),
    );
    out.sort();
    out.dedup();
    out
});

/// The shared spelling of `path` when the schema knows it, else an owned copy.
pub fn intern(path: &str) -> Key {
    let known: &'static [String] = &KNOWN;
    match known.binary_search_by(|k| k.as_str().cmp(path)) {
        Ok(i) => Cow::Borrowed(known[i].as_str()),
        Err(_) => Cow::Owned(path.to_owned()),
    }
}

/// Attribute path → value, sorted by path, at most one entry per path.
#[derive(Debug, Clone, PartialEq)]
pub struct Attrs<V> {
    entries: Vec<(Key, V)>,
}

impl<V> Default for Attrs<V> {
    fn default() -> Self {
        Attrs {
            entries: Vec::new(),
        }
    }
}

impl<V> Attrs<V> {
    pub fn new() -> Self {
        Attrs::default()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, path: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| (**k).cmp(path))
    }

    pub fn get<Q: AsRef<str> + ?Sized>(&self, path: &Q) -> Option<&V> {
        let i = self.position(path.as_ref()).ok()?;
        self.entries.get(i).map(|(_, v)| v)
    }

    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, path: &Q) -> bool {
        self.position(path.as_ref()).is_ok()
    }

    /// Sets `path` (replacing its value if present); the old value back, as a map's insert.
    pub fn insert(&mut self, path: String, value: V) -> Option<V> {
        match self.position(&path) {
            Ok(i) => self
                .entries
                .get_mut(i)
                .map(|(_, v)| std::mem::replace(v, value)),
            Err(i) => {
                self.entries.insert(i, (intern(&path), value));
                None
            }
        }
    }

    pub fn remove<Q: AsRef<str> + ?Sized>(&mut self, path: &Q) -> Option<V> {
        let i = self.position(path.as_ref()).ok()?;
        Some(self.entries.remove(i).1)
    }

    /// Entries in path order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&str, &V)> + ExactSizeIterator {
        self.entries.iter().map(|(k, v)| (k.borrow(), v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k.borrow())
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Builds from entries already sorted by path without repeats (as a `BTreeMap` or
    /// `BTreeSet` yields them); anything else is sorted first, the last value of a path kept.
    fn from_entries(mut entries: Vec<(Key, V)>) -> Self {
        if !entries.windows(2).all(|w| w[0].0 < w[1].0) {
            // A stable sort keeps equal paths in arrival order; dedup then keeps the last.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries.reverse();
            entries.dedup_by(|a, b| a.0 == b.0);
            entries.reverse();
        }
        entries.shrink_to_fit();
        Attrs { entries }
    }
}

impl<K: AsRef<str>, V> FromIterator<(K, V)> for Attrs<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Attrs::from_entries(
            iter.into_iter()
                .map(|(k, v)| (intern(k.as_ref()), v))
                .collect(),
        )
    }
}

impl<K: AsRef<str>, V> From<std::collections::BTreeMap<K, V>> for Attrs<V> {
    fn from(map: std::collections::BTreeMap<K, V>) -> Self {
        map.into_iter().collect()
    }
}

/// Equal to a map with the same entries (tests state what they expect as a map).
impl<K: AsRef<str>, V: PartialEq> PartialEq<std::collections::BTreeMap<K, V>> for Attrs<V> {
    fn eq(&self, other: &std::collections::BTreeMap<K, V>) -> bool {
        self.len() == other.len()
            && other
                .iter()
                .all(|(k, v)| self.get(k.as_ref()).is_some_and(|mine| mine == v))
    }
}

impl<V> IntoIterator for Attrs<V> {
    type Item = (String, V);
    type IntoIter = std::iter::Map<std::vec::IntoIter<(Key, V)>, fn((Key, V)) -> (String, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter().map(|(k, v)| (k.into_owned(), v))
    }
}

impl<'a, V> IntoIterator for &'a Attrs<V> {
    type Item = (&'a str, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (Key, V)>, fn(&'a (Key, V)) -> (&'a str, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k.borrow(), v))
    }
}

impl<V, Q: AsRef<str> + ?Sized> Index<&Q> for Attrs<V> {
    type Output = V;

    /// Panics when `path` is absent, as a map's index does; for tests and known-present paths.
    #[allow(clippy::panic)]
    fn index(&self, path: &Q) -> &V {
        match self.get(path) {
            Some(v) => v,
            None => panic!("no attribute {:?}", path.as_ref()),
        }
    }
}

impl<V: Serialize> Serialize for Attrs<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            m.serialize_entry(k.as_ref(), v)?;
        }
        m.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Attrs<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Entries<V> {
            type Value = Attrs<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of attribute paths to values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attrs<V>, A::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some((k, v)) = map.next_entry::<Cow<'de, str>, V>()? {
                    entries.push((intern(&k), v));
                }
                Ok(Attrs::from_entries(entries))
            }
        }
        d.deserialize_map(Entries(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    #[test]
    fn schema_paths_are_shared_and_others_owned() {
        assert!(matches!(intern("displayName"), Cow::Borrowed(_)));
        assert!(matches!(intern("name.givenName"), Cow::Borrowed(_)));
        let dept = format!("{}:department", urn::ENTERPRISE_USER);
        assert!(matches!(intern(&dept), Cow::Borrowed(_)));
        assert!(matches!(intern("x-custom"), Cow::Owned(_)));
    }

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
        assert_eq!(a.get("title"), Some(&4));
        assert_eq!(a["emails"], 2);
        assert!(!a.contains_key("nickName"));
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        let back: Attrs<i32> = serde_json::from_value(json!({"b": 1, "a": 2})).unwrap();
        assert_eq!(back.keys().collect::<Vec<_>>(), ["a", "b"]);
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
        let none: Attrs<Option<Value>> = serde_json::from_str(r#"{"x": null}"#).unwrap();
        assert_eq!(none.get("x"), Some(&None));
    }
}
