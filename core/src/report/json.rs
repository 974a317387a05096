//! The report's pretty JSON writer: byte for byte what `serde_json::to_writer_pretty` writes
//! (two-space indent, `": "` after keys, non-ASCII written as is), faster on what a report is
//! made of. A 100k-component report is half a gigabyte of JSON, mostly strings and object keys:
//! serde_json examines every byte of a string one at a time, this writer checks sixteen at a
//! time and copies a string that needs no escape in one piece (the rare string that does is
//! handed to serde_json). Each line break and its indentation is one write. Scalars other than
//! strings are written by serde_json itself, and so are map keys (few in a report, where struct
//! fields are the many), so the two can only differ in speed.

use serde::ser::{self, Serialize};
use std::fmt::Write as _;
use std::io::{self, Write};

type Result<T = ()> = std::result::Result<T, serde_json::Error>;

/// Writes `value` as pretty JSON to `w`.
pub(crate) fn write_pretty<W: Write, T: ?Sized + Serialize>(w: W, value: &T) -> Result {
    value.serialize(&mut Pretty { w, depth: 0, has_value: false, scratch: String::new() })
}

struct Pretty<W> {
    w: W,
    depth: usize,
    /// Whether the innermost open array or object has a member (serde_json's `has_value`).
    has_value: bool,
    /// Reused for values written through `Display` (a report's descriptions).
    scratch: String,
}

const ARRAY: [&[u8]; 2] = [b"[", b"]"];
const OBJECT: [&[u8]; 2] = [b"{", b"}"];

fn escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Whether a 16-byte block has a byte to escape: no early exit inside, so the compiler checks
/// the block with vector compares.
#[inline]
fn block_needs_escape(block: &[u8; 16]) -> bool {
    block.iter().fold(false, |any, &b| any | escape(b))
}

const ONES: u64 = u64::from_ne_bytes([1; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// Whether any byte of a word needs an escape (exact: `x - n·ONES & !x & HIGHS` is non-zero
/// iff some byte is below `n`, for `n` ≤ 128).
fn word_needs_escape(x: u64) -> bool {
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGHS != 0;
    below(x, 0x20) || below(x ^ (ONES * u64::from(b'"')), 1) || below(x ^ (ONES * u64::from(b'\\')), 1)
}

/// Whether JSON needs an escape for any byte of `bytes`: a control character, `"` or `\\`.
/// The tail of a long string and short strings (keys, ids) are checked with overlapping reads.
fn needs_escape(bytes: &[u8]) -> bool {
    let len = bytes.len();
    let at = |i: usize| bytes.get(i..).and_then(|b| b.first_chunk::<8>()).map_or(0, |w| u64::from_ne_bytes(*w));
    let half = |i: usize| bytes.get(i..).and_then(|b| b.first_chunk::<4>()).map_or(0, |w| u32::from_ne_bytes(*w));
    if len >= 16 {
        let mut blocks = bytes.chunks_exact(16);
        if blocks.by_ref().any(|b| b.first_chunk::<16>().is_some_and(block_needs_escape)) {
            return true;
        }
        // The last 16 bytes, overlapping checked ones: the bytes after the last whole block.
        return !blocks.remainder().is_empty() && bytes.last_chunk::<16>().is_some_and(block_needs_escape);
    }
    if len >= 8 {
        return word_needs_escape(at(0)) || word_needs_escape(at(len - 8));
    }
    if len >= 4 {
        // Both halves in one word: every byte of it is a byte of the string.
        return word_needs_escape(u64::from(half(0)) | u64::from(half(len - 4)) << 32);
    }
    bytes.iter().any(|&b| escape(b))
}

impl<W: Write> Pretty<W> {
    /// A line break (after a comma unless `first`) and the current indentation.
    fn newline(&mut self, first: bool) -> io::Result<()> {
        const LINE: &[u8] = b",\n                                                                ";
        let start = usize::from(first);
        match LINE.get(start..2 + 2 * self.depth) {
            Some(bytes) => self.w.write_all(bytes),
            None => {
                self.w.write_all(LINE.get(start..2).unwrap_or(b"\n"))?;
                for _ in 0..self.depth {
                    self.w.write_all(b"  ")?;
                }
                Ok(())
            }
        }
    }

    fn open(&mut self, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        self.w.write_all(bracket)
    }

    fn close(&mut self, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.newline(true)?;
        }
        self.w.write_all(bracket)
    }

    fn string(&mut self, s: &str) -> Result {
        if needs_escape(s.as_bytes()) {
            return serde_json::to_writer(&mut self.w, s);
        }
        self.w
            .write_all(b"\"")
            .and_then(|()| self.w.write_all(s.as_bytes()))
            .and_then(|()| self.w.write_all(b"\""))
            .map_err(serde_json::Error::io)
    }

    /// A scalar, as serde_json writes it (pretty and compact agree on scalars).
    fn scalar<T: ?Sized + Serialize>(&mut self, v: &T) -> Result {
        serde_json::to_writer(&mut self.w, v)
    }

    /// Opens an array or object (closed by [`Compound::finish`]: `[]` or `{}` when empty).
    fn compound(&mut self, brackets: [&'static [u8]; 2]) -> Result<Compound<'_, W>> {
        self.open(brackets[0]).map_err(serde_json::Error::io)?;
        Ok(Compound { ser: self, first: true, close: brackets[1], variant: false })
    }

    /// `{ "variant": ` of an externally tagged enum variant with content.
    fn open_variant(&mut self, variant: &str) -> Result {
        self.open(b"{").and_then(|()| self.newline(true)).map_err(serde_json::Error::io)?;
        self.string(variant)?;
        self.w.write_all(b": ").map_err(serde_json::Error::io)
    }

    /// `{ "variant": [` or `{ "variant": {`, both closed by [`Compound::finish`].
    fn variant_compound(&mut self, variant: &str, brackets: [&'static [u8]; 2]) -> Result<Compound<'_, W>> {
        self.open_variant(variant)?;
        let mut compound = self.compound(brackets)?;
        compound.variant = true;
        Ok(compound)
    }

    /// The `}` closing [`Pretty::open_variant`].
    fn close_variant(&mut self) -> Result {
        self.has_value = true;
        self.close(b"}").map_err(serde_json::Error::io)
    }
}

struct Compound<'a, W> {
    ser: &'a mut Pretty<W>,
    /// No member written yet.
    first: bool,
    close: &'static [u8],
    /// Inside `{ "variant": … }`, closed with the compound.
    variant: bool,
}

impl<W: Write> Compound<'_, W> {
    fn member(&mut self) -> Result {
        let first = std::mem::replace(&mut self.first, false);
        self.ser.newline(first).map_err(serde_json::Error::io)
    }

    fn element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result {
        self.member()?;
        value.serialize(&mut *self.ser)?;
        self.ser.has_value = true;
        Ok(())
    }

    fn field<T: ?Sized + Serialize>(&mut self, key: &str, value: &T) -> Result {
        self.member()?;
        self.ser.string(key)?;
        self.ser.w.write_all(b": ").map_err(serde_json::Error::io)?;
        value.serialize(&mut *self.ser)?;
        self.ser.has_value = true;
        Ok(())
    }

    fn finish(self) -> Result {
        self.ser.close(self.close).map_err(serde_json::Error::io)?;
        if self.variant { self.ser.close_variant() } else { Ok(()) }
    }
}

impl<'a, W: Write> ser::Serializer for &'a mut Pretty<W> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Compound<'a, W>;
    type SerializeTuple = Compound<'a, W>;
    type SerializeTupleStruct = Compound<'a, W>;
    type SerializeTupleVariant = Compound<'a, W>;
    type SerializeMap = Compound<'a, W>;
    type SerializeStruct = Compound<'a, W>;
    type SerializeStructVariant = Compound<'a, W>;

    fn serialize_bool(self, v: bool) -> Result {
        self.scalar(&v)
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.scalar(&v)
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.scalar(&v)
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.scalar(&v)
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.scalar(&v)
    }
    fn serialize_i128(self, v: i128) -> Result {
        self.scalar(&v)
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.scalar(&v)
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.scalar(&v)
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.scalar(&v)
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.scalar(&v)
    }
    fn serialize_u128(self, v: u128) -> Result {
        self.scalar(&v)
    }
    fn serialize_f32(self, v: f32) -> Result {
        self.scalar(&v)
    }
    fn serialize_f64(self, v: f64) -> Result {
        self.scalar(&v)
    }
    fn serialize_char(self, v: char) -> Result {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result {
        let mut seq = self.compound(ARRAY)?;
        for b in v {
            seq.element(b)?;
        }
        seq.finish()
    }
    fn serialize_none(self) -> Result {
        self.scalar(&())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.scalar(&())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.scalar(&())
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.open_variant(variant)?;
        value.serialize(&mut *self)?;
        self.close_variant()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a, W>> {
        self.compound(ARRAY)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a, W>> {
        self.compound(ARRAY)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a, W>> {
        self.compound(ARRAY)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, W>> {
        self.variant_compound(variant, ARRAY)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a, W>> {
        self.compound(OBJECT)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'a, W>> {
        self.compound(OBJECT)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'a, W>> {
        self.variant_compound(variant, OBJECT)
    }
    fn collect_str<T: ?Sized + std::fmt::Display>(self, value: &T) -> Result {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        let written = write!(text, "{value}");
        let result = match written {
            Ok(()) => self.string(&text),
            Err(_) => Err(ser::Error::custom("a Display implementation returned an error")),
        };
        self.scratch = text;
        result
    }
}

/// The serde traits of arrays (`$method(value)`) and of objects with static keys
/// (`$method(key, value)`), all written by [`Compound`].
macro_rules! members {
    ($($trait:ident::$method:ident($($key:ident)?)),* $(,)?) => {$(
        impl<W: Write> ser::$trait for Compound<'_, W> {
            type Ok = ();
            type Error = serde_json::Error;
            fn $method<T: ?Sized + Serialize>(&mut self, $($key: &'static str,)? value: &T) -> Result {
                members!(@write self $($key)? value)
            }
            fn end(self) -> Result {
                self.finish()
            }
        }
    )*};
    (@write $self:ident $key:ident $value:ident) => { $self.field($key, $value) };
    (@write $self:ident $value:ident) => { $self.element($value) };
}

members!(
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(key),
    SerializeStructVariant::serialize_field(key),
);

impl<W: Write> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = serde_json::Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result {
        // Map keys are few in a report (struct fields are the many): each is written by
        // serde_json from a one-entry map, so its key rules (strings, numbers and bools quoted,
        // anything else an error) hold as they are.
        self.member()?;
        let text = serde_json::to_vec(&OneKey(key))?;
        let inner = text.strip_prefix(b"{").and_then(|t| t.strip_suffix(b":null}")).unwrap_or(&text);
        self.ser.w.write_all(inner).map_err(serde_json::Error::io)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result {
        self.ser.w.write_all(b": ").map_err(serde_json::Error::io)?;
        value.serialize(&mut *self.ser)?;
        self.ser.has_value = true;
        Ok(())
    }
    fn end(self) -> Result {
        self.finish()
    }
}

/// `{key: null}`, to let serde_json write a key that is not a plain string.
struct OneKey<'k, K: ?Sized>(&'k K);

impl<K: ?Sized + Serialize> Serialize for OneKey<'_, K> {
    fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.0, &())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;

    fn ours<T: ?Sized + Serialize>(v: &T) -> String {
        let mut out = Vec::new();
        write_pretty(&mut out, v).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[derive(Serialize)]
    struct Unit;
    #[derive(Serialize)]
    struct Newtype(Vec<u8>);
    #[derive(Serialize)]
    struct Pair(i8, &'static str);
    #[derive(Serialize)]
    struct Empty {}
    #[derive(Serialize)]
    enum Shape {
        Plain,
        Wrapped(Option<u32>),
        Tuple(u8, Vec<String>),
        Fields { a: f64, b: Empty },
        NoFields {},
    }
    type Nested = BTreeMap<&'static str, Vec<Option<Unit>>>;
    #[derive(Serialize)]
    struct Everything {
        bools: (bool, bool),
        ints: (i8, i64, i128, u8, u64, u128),
        floats: Vec<f64>,
        chars: Vec<char>,
        text: &'static str,
        #[serde(with = "serde_bytes_like")]
        bytes: Vec<u8>,
        none: Option<u8>,
        some: Option<Option<u8>>,
        unit: (),
        unit_struct: Unit,
        newtype: Newtype,
        pair: Pair,
        empty_struct: Empty,
        empty_list: Vec<u8>,
        empty_map: BTreeMap<String, u8>,
        shapes: Vec<Shape>,
        int_keys: BTreeMap<i32, bool>,
        bool_keys: BTreeMap<bool, Vec<Empty>>,
        nested: Vec<Vec<Nested>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        skipped: Option<u8>,
        shown: Display,
    }
    mod serde_bytes_like {
        pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }
    struct Display(&'static str);
    impl Serialize for Display {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            s.collect_str(self.0)
        }
    }

    #[test]
    fn writes_what_serde_json_writes_for_every_shape() {
        let v = Everything {
            bools: (true, false),
            ints: (i8::MIN, i64::MAX, i128::MIN, 0, u64::MAX, u128::MAX),
            floats: vec![0.0, -1.5, 1e300, f64::NAN, f64::INFINITY, 0.1],
            chars: vec!['a', '"', '\\', '\n', '\u{1f}', 'é', '💡'],
            text: "tab\there \"quoted\" back\\slash \u{7f} \u{0} \u{8}\u{c}\r end — ✓",
            bytes: vec![0, 255],
            none: None,
            some: Some(None),
            unit: (),
            unit_struct: Unit,
            newtype: Newtype(vec![]),
            pair: Pair(-3, "x"),
            empty_struct: Empty {},
            empty_list: vec![],
            empty_map: BTreeMap::new(),
            shapes: vec![
                Shape::Plain,
                Shape::Wrapped(Some(7)),
                Shape::Wrapped(None),
                Shape::Tuple(1, vec!["a\"b".into()]),
                Shape::Tuple(2, vec![]),
                Shape::Fields { a: 2.5, b: Empty {} },
                Shape::NoFields {},
            ],
            int_keys: BTreeMap::from([(-1, true), (20, false)]),
            bool_keys: BTreeMap::from([(false, vec![]), (true, vec![Empty {}])]),
            nested: vec![vec![], vec![BTreeMap::from([("k\"", vec![None, Some(Unit)]), ("", vec![])])]],
            skipped: None,
            shown: Display("said \"hi\"\n"),
        };
        assert_eq!(ours(&v), serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn deep_nesting_keeps_indenting() {
        let mut v = json!("leaf");
        for i in 0..70 {
            v = if i % 2 == 0 { json!([v, 1]) } else { json!({ "k": v, "z": [] }) };
        }
        assert_eq!(ours(&v), serde_json::to_string_pretty(&v).unwrap());
    }

    #[test]
    fn keys_serde_json_rejects_are_rejected() {
        let v = BTreeMap::from([(vec![1u8], 1u8)]);
        assert!(serde_json::to_string_pretty(&v).is_err());
        let mut out = Vec::new();
        assert!(write_pretty(&mut out, &v).is_err());
    }

    #[test]
    fn escape_scan_finds_every_byte_that_needs_one_at_any_position() {
        for len in 0..40 {
            for at in 0..len {
                for b in 0u8..=127 {
                    let mut bytes = vec![b'a'; len];
                    if let Some(x) = bytes.get_mut(at) {
                        *x = b;
                    }
                    let want = b < 0x20 || b == b'"' || b == b'\\';
                    assert_eq!(needs_escape(&bytes), want, "byte {b:#x} at {at} of {len}");
                }
            }
        }
        // Bytes above 0x7f (UTF-8 continuations and leads) never need one.
        assert!(!needs_escape("ÿ€💡 — \u{80}\u{ff}".as_bytes()));
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
            "[ -~\\n\\t\"\\\\\u{0}-\u{1f}é—💡]{0,40}".prop_map(Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_value_writes_as_serde_json_writes_it(v in value()) {
            prop_assert_eq!(ours(&v), serde_json::to_string_pretty(&v).unwrap());
        }
    }
}
