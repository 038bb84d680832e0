//! A deserializer that reads what it can. A field of the wrong JSON type (an object where a
//! string belongs, a string where a list belongs, a number too big for its field) is drained,
//! replaced by its type's empty value and noted with its path, so one odd object costs one
//! field of one row, not its kind's whole list (serde would fail the list, and the watch
//! with it). Null reads as absent, silently: Go writes nil slices and maps as `null`.
//!
//! It wraps another deserializer and asks it for whatever comes next (`deserialize_any`),
//! then checks it against what the field's type asked for before handing it on: a visitor
//! that refused a value would leave nothing to put in the field. Unknown fields still go
//! straight to the wrapped deserializer's `deserialize_ignored_any`, which skips them without
//! allocating.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::marker::PhantomData;

mod keys;

use keys::KeySeed;
use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// What one object's read noted: where it is reading, and the fields it replaced.
#[derive(Debug)]
pub struct Notes {
    path: RefCell<String>,
    first: RefCell<Option<String>>,
    count: Cell<usize>,
}

impl Default for Notes {
    /// Room for a deep path at once: one allocation per object read, not one per time the
    /// path outgrew its buffer.
    fn default() -> Self {
        Notes {
            path: RefCell::new(String::with_capacity(96)),
            first: RefCell::default(),
            count: Cell::default(),
        }
    }
}

impl Notes {
    fn mark(&self) -> usize {
        self.path.borrow().len()
    }

    fn back_to(&self, mark: usize) {
        self.path.borrow_mut().truncate(mark);
    }

    fn push_key(&self, key: &str) {
        let mut path = self.path.borrow_mut();
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    }

    /// Once per list element read, so without `fmt`'s machinery.
    fn push_index(&self, index: usize) {
        let mut path = self.path.borrow_mut();
        path.push('[');
        path.push_str(itoa::Buffer::new().format(index));
        path.push(']');
    }

    /// A field replaced, and what was wrong with it (`a list where a string belongs`).
    fn note(&self, wrong: fmt::Arguments) {
        self.count.set(self.count.get() + 1);
        let mut first = self.first.borrow_mut();
        if first.is_none() {
            let path = self.path.borrow();
            *first = Some(format!("{path}: {wrong}"));
        }
    }

    /// The first replaced field, and how many more there were; None when nothing was.
    pub fn summary(self) -> Option<Box<str>> {
        let first = self.first.into_inner()?;
        Some(match self.count.get() {
            1 => first.into_boxed_str(),
            n => format!("{first} (and {} more)", n - 1).into_boxed_str(),
        })
    }
}

thread_local! {
    /// Set while `strictly` runs on this thread.
    static STRICT: Cell<bool> = const { Cell::new(false) };
}

/// Run `read` with every `Lenient` seed reading plainly, at serde's own speed: nothing is
/// forgiven, so a field of another type fails the read (which is then done again without
/// this, to forgive it and note it). Reading forgivingly tracks each field's path and checks
/// each value's type: about a quarter of reading a Machine, for objects that are almost
/// never odd.
pub fn strictly<T>(read: impl FnOnce() -> T) -> T {
    /// Puts the mode back as it was, also when `read` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            STRICT.with(|strict| strict.set(self.0));
        }
    }
    let _restore = Restore(STRICT.with(|strict| strict.replace(true)));
    read()
}

/// A seed that reads a `T` forgivingly, its path starting at `at`.
pub struct Lenient<'n, T> {
    at: &'static str,
    notes: &'n Notes,
    read: PhantomData<fn() -> T>,
}

impl<'n, T> Lenient<'n, T> {
    pub fn at(at: &'static str, notes: &'n Notes) -> Self {
        Lenient {
            at,
            notes,
            read: PhantomData,
        }
    }
}

impl<'de, T: de::Deserialize<'de>> DeserializeSeed<'de> for Lenient<'_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        if STRICT.with(Cell::get) {
            return T::deserialize(d);
        }
        let mark = self.notes.mark();
        self.notes.push_key(self.at);
        let read = T::deserialize(Forgiving {
            inner: d,
            notes: self.notes,
        });
        self.notes.back_to(mark);
        read
    }
}

/// What a field's type asked the deserializer for.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Anything,
    Bool,
    Int { min: i128, max: i128 },
    Float,
    Str,
    Seq,
    Map,
    Unit,
}

impl Expect {
    fn int<T: Bounded>() -> Self {
        Expect::Int {
            min: T::MIN,
            max: T::MAX,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Expect::Anything => "a value",
            Expect::Bool => "a boolean",
            Expect::Int { .. } => "an integer",
            Expect::Float => "a number",
            Expect::Str => "a string",
            Expect::Seq => "a list",
            Expect::Map => "an object",
            Expect::Unit => "null",
        }
    }

    fn takes_int(self, n: i128) -> bool {
        match self {
            Expect::Anything | Expect::Float => true,
            Expect::Int { min, max } => (min..=max).contains(&n),
            _ => false,
        }
    }
}

trait Bounded {
    const MIN: i128;
    const MAX: i128;
}

macro_rules! bounded {
    ($($t:ty)*) => {$(
        impl Bounded for $t {
            const MIN: i128 = <$t>::MIN as i128;
            const MAX: i128 = <$t>::MAX as i128;
        }
    )*};
}
bounded!(i8 i16 i32 i64 u8 u16 u32 u64);

/// The wrapped deserializer, each request turned into `deserialize_any` and a check.
struct Forgiving<'n, D> {
    inner: D,
    notes: &'n Notes,
}

impl<'n, D> Forgiving<'n, D> {
    fn expecting<V>(&self, visitor: V, expect: Expect) -> Expecting<'n, V> {
        Expecting {
            visitor,
            expect,
            notes: self.notes,
        }
    }
}

macro_rules! expecting {
    ($($method:ident => $expect:expr,)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            let visitor = self.expecting(visitor, $expect);
            self.inner.deserialize_any(visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Forgiving<'_, D> {
    type Error = D::Error;

    expecting! {
        deserialize_any => Expect::Anything,
        deserialize_bool => Expect::Bool,
        deserialize_i8 => Expect::int::<i8>(),
        deserialize_i16 => Expect::int::<i16>(),
        deserialize_i32 => Expect::int::<i32>(),
        deserialize_i64 => Expect::int::<i64>(),
        deserialize_u8 => Expect::int::<u8>(),
        deserialize_u16 => Expect::int::<u16>(),
        deserialize_u32 => Expect::int::<u32>(),
        deserialize_u64 => Expect::int::<u64>(),
        deserialize_f32 => Expect::Float,
        deserialize_f64 => Expect::Float,
        deserialize_str => Expect::Str,
        deserialize_string => Expect::Str,
        deserialize_seq => Expect::Seq,
        deserialize_map => Expect::Map,
        deserialize_unit => Expect::Unit,
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.deserialize_map(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        let visitor = self.expecting(visitor, Expect::Anything);
        self.inner.deserialize_option(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        let visitor = self.expecting(visitor, Expect::Anything);
        self.inner.deserialize_newtype_struct(name, visitor)
    }

    // What follows has no empty value to stand in (a char, an enum's variant) or is read as
    // it comes (keys, skipped values, bytes): straight to the wrapped deserializer.
    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_char(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.inner.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_identifier(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_ignored_any(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_bytes(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.inner.deserialize_byte_buf(visitor)
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// A visitor that hands on what its field's type takes and replaces the rest.
struct Expecting<'n, V> {
    visitor: V,
    expect: Expect,
    notes: &'n Notes,
}

impl<'de, V: Visitor<'de>> Expecting<'_, V> {
    /// Note the value that came instead, and stand the field's empty value in for it.
    fn replace<E: de::Error>(self, got: &str) -> Result<V::Value, E> {
        let wanted = self.expect.name();
        self.notes
            .note(format_args!("{got} where {wanted} belongs"));
        self.empty()
    }

    fn out_of_range<E: de::Error>(self, n: impl fmt::Display) -> Result<V::Value, E> {
        self.notes.note(format_args!("{n} is out of its range"));
        self.empty()
    }

    fn empty<E: de::Error>(self) -> Result<V::Value, E> {
        match self.expect {
            Expect::Bool => self.visitor.visit_bool(false),
            Expect::Int { min, .. } if min < 0 => self.visitor.visit_i64(0),
            Expect::Int { .. } => self.visitor.visit_u64(0),
            Expect::Float => self.visitor.visit_f64(0.0),
            Expect::Str => self.visitor.visit_borrowed_str(""),
            Expect::Seq => self
                .visitor
                .visit_seq(SeqDeserializer::<_, E>::new(std::iter::empty::<()>())),
            Expect::Map => self
                .visitor
                .visit_map(MapDeserializer::<_, E>::new(std::iter::empty::<((), ())>())),
            Expect::Unit | Expect::Anything => self.visitor.visit_unit(),
        }
    }

    fn takes(&self, wanted: Expect) -> bool {
        std::mem::discriminant(&self.expect) == std::mem::discriminant(&wanted)
            || matches!(self.expect, Expect::Anything)
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Expecting<'_, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.visitor.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<V::Value, E> {
        if self.takes(Expect::Bool) {
            self.visitor.visit_bool(v)
        } else {
            self.replace("a boolean")
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<V::Value, E> {
        match self.expect {
            _ if self.expect.takes_int(v.into()) => self.visitor.visit_i64(v),
            Expect::Int { .. } => self.out_of_range(v),
            _ => self.replace("a number"),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<V::Value, E> {
        match self.expect {
            _ if self.expect.takes_int(v.into()) => self.visitor.visit_u64(v),
            Expect::Int { .. } => self.out_of_range(v),
            _ => self.replace("a number"),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<V::Value, E> {
        if self.takes(Expect::Float) {
            self.visitor.visit_f64(v)
        } else {
            self.replace("a number")
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if self.takes(Expect::Str) {
            self.visitor.visit_str(v)
        } else {
            self.replace("a string")
        }
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        if self.takes(Expect::Str) {
            self.visitor.visit_borrowed_str(v)
        } else {
            self.replace("a string")
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        if self.takes(Expect::Str) {
            self.visitor.visit_string(v)
        } else {
            self.replace("a string")
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        match self.expect {
            Expect::Anything | Expect::Unit => self.visitor.visit_unit(),
            _ => self.empty(),
        }
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        match self.expect {
            Expect::Anything => self.visitor.visit_none(),
            _ => self.empty(),
        }
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_some(Forgiving {
            inner: d,
            notes: self.notes,
        })
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.visitor.visit_newtype_struct(Forgiving {
            inner: d,
            notes: self.notes,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<V::Value, A::Error> {
        if self.takes(Expect::Seq) {
            let notes = self.notes;
            return self.visitor.visit_seq(ForgivingSeq {
                seq,
                notes,
                index: 0,
            });
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.replace("a list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        if self.takes(Expect::Map) {
            let notes = self.notes;
            return self.visitor.visit_map(ForgivingMap {
                map,
                notes,
                mark: notes.mark(),
            });
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.replace("an object")
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<V::Value, E> {
        self.visitor.visit_bytes(v)
    }
}

/// A seed whose value is read forgivingly.
struct ForgivingSeed<'n, S> {
    seed: S,
    notes: &'n Notes,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for ForgivingSeed<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Forgiving {
            inner: d,
            notes: self.notes,
        })
    }
}

/// A list whose elements are read forgivingly, each at `[index]` on the path.
struct ForgivingSeq<'n, A> {
    seq: A,
    notes: &'n Notes,
    index: usize,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for ForgivingSeq<'_, A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        let mark = self.notes.mark();
        self.notes.push_index(self.index);
        self.index += 1;
        let element = self.seq.next_element_seed(ForgivingSeed {
            seed,
            notes: self.notes,
        });
        self.notes.back_to(mark);
        element
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// An object whose values are read forgivingly, each at its key on the path.
struct ForgivingMap<'n, A> {
    map: A,
    notes: &'n Notes,
    /// The path's length at this object: each value's key is cut back to it.
    mark: usize,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for ForgivingMap<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.notes.back_to(self.mark);
        self.map.next_key_seed(KeySeed {
            seed,
            notes: self.notes,
        })
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        let value = self.map.next_value_seed(ForgivingSeed {
            seed,
            notes: self.notes,
        });
        self.notes.back_to(self.mark);
        value
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}
