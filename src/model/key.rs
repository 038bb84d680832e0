//! Which object a row is, and the order rows are kept in.

use std::cmp::Ordering;

use smol_str::SmolStr;

/// Which object a row is: the cluster (kube context or talosconfig context) it came from,
/// its namespace (empty for cluster-scoped objects) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ObjRef {
    pub cluster: SmolStr,
    pub namespace: SmolStr,
    pub name: SmolStr,
}

impl ObjRef {
    /// A key whose cluster the watch fills in.
    pub fn new(namespace: impl Into<SmolStr>, name: impl Into<SmolStr>) -> Self {
        ObjRef {
            cluster: SmolStr::default(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    pub fn in_cluster(
        cluster: impl Into<SmolStr>,
        namespace: impl Into<SmolStr>,
        name: impl Into<SmolStr>,
    ) -> Self {
        ObjRef {
            cluster: cluster.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// Cluster, namespace and name, borrowed: how a store is searched without building a key
    /// (building one copies every name longer than `SmolStr` holds inline, and the chains look
    /// up several per Machine at each recompute).
    pub(crate) fn parts(&self) -> KeyParts<'_> {
        (&self.cluster, &self.namespace, &self.name)
    }

    /// `namespace/name`, or the name alone for a cluster-scoped object.
    pub fn namespaced_name(&self) -> String {
        match self.namespace.as_str() {
            "" => self.name.to_string(),
            ns => format!("{ns}/{}", self.name),
        }
    }
}

/// A key's cluster, namespace and name.
pub(crate) type KeyParts<'a> = (&'a str, &'a str, &'a str);

/// Cluster, then namespace, then name, each in `str`'s order.
impl Ord for ObjRef {
    fn cmp(&self, other: &Self) -> Ordering {
        key_order(self.parts(), other.parts())
    }
}

impl PartialOrd for ObjRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Two keys' parts in turn. A search of a 60,000-row store compares keys some sixteen times
/// (`runs`); when the comparisons were a twentieth of the load, most of it was three calls
/// into the C library's `memcmp` a comparison for strings of a few bytes.
pub(crate) fn key_order(a: KeyParts<'_>, b: KeyParts<'_>) -> Ordering {
    str_order(a.0, b.0)
        .then_with(|| str_order(a.1, b.1))
        .then_with(|| str_order(a.2, b.2))
}

/// `str`'s order (its bytes', then its length's), eight bytes a step without a call.
#[inline]
fn str_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = a.len().min(b.len());
    let (a_words, a_rest) = a[..common].as_chunks::<8>();
    let (b_words, b_rest) = b[..common].as_chunks::<8>();
    for (x, y) in a_words.iter().zip(b_words) {
        if x != y {
            return u64::from_be_bytes(*x).cmp(&u64::from_be_bytes(*y));
        }
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

impl std::fmt::Display for ObjRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.cluster.is_empty() {
            write!(f, "{}:", self.cluster)?;
        }
        if self.namespace.is_empty() {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// Every row type has a key.
pub trait Keyed {
    fn key(&self) -> &ObjRef;
    fn key_mut(&mut self) -> &mut ObjRef;
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A row of the stores' tests: a key and a number.
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) struct Row(pub ObjRef, pub u32);

    impl Keyed for Row {
        fn key(&self) -> &ObjRef {
            &self.0
        }
        fn key_mut(&mut self) -> &mut ObjRef {
            &mut self.0
        }
    }

    /// Parts made of a few letters that sort around each other (and one that is two bytes
    /// long), so keys share prefixes of every length, eight-byte words included.
    fn part() -> impl proptest::strategy::Strategy<Value = String> {
        proptest::string::string_regex("[a-c/é-]{0,20}").expect("a pattern")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        #[test]
        fn keys_sort_as_their_parts_do_as_strings(
            a in (part(), part(), part()),
            b in (part(), part(), part()),
        ) {
            let key = |(c, n, m): &(String, String, String)| ObjRef::in_cluster(c.as_str(), n.as_str(), m.as_str());
            let as_strings = (a.0.as_str(), a.1.as_str(), a.2.as_str()).cmp(&(b.0.as_str(), b.1.as_str(), b.2.as_str()));
            proptest::prop_assert_eq!(key(&a).cmp(&key(&b)), as_strings);
            proptest::prop_assert_eq!(key(&a) == key(&b), as_strings.is_eq());
        }
    }
}
