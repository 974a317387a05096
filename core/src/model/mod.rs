//! The architecture model: types, loading from JSON/YAML, validation.

mod load;
mod types;
mod validate;

pub use load::{Format, MAX_INPUT_BYTES, parse_model};
pub(crate) use load::{parse_document, serde_diag};
pub use types::*;
pub(crate) use validate::{Resolved, validate_resolved};
pub use validate::{TokenVocabulary, is_date, validate};

impl Model {
    /// Parses and checks structure (use [`validate`] or an engine for the rest).
    pub fn from_str(text: &str, format: Format) -> crate::Result<Model> {
        parse_model(text, format)
    }
    /// Parses JSON.
    pub fn from_json(text: &str) -> crate::Result<Model> {
        parse_model(text, Format::Json)
    }
    /// Parses YAML.
    pub fn from_yaml(text: &str) -> crate::Result<Model> {
        parse_model(text, Format::Yaml)
    }
}

/// Indices `0..n` ordered by `key(i)` (byte order; equal keys in any order). Sorts on the first
/// eight bytes as a number and compares whole keys only when those tie, so large id lists sort
/// mostly without touching the strings.
pub(crate) fn order_by_key<'a>(n: usize, key: impl Fn(usize) -> &'a str) -> Vec<u32> {
    let prefix = |s: &str| {
        let mut b = [0u8; 8];
        for (d, x) in b.iter_mut().zip(s.bytes()) {
            *d = x;
        }
        u64::from_be_bytes(b)
    };
    let mut v: Vec<(u64, u32)> = (0..n).map(|i| (prefix(key(i)), i as u32)).collect();
    v.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a.1 as usize).cmp(key(b.1 as usize))));
    v.into_iter().map(|(_, i)| i).collect()
}

/// The position of each index in `order` (the inverse permutation).
pub(crate) fn ranks(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; order.len()];
    for (r, &i) in order.iter().enumerate() {
        if let Some(x) = rank.get_mut(i as usize) {
            *x = r as u32;
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    #[test]
    fn order_by_key_is_byte_order() {
        let keys = ["b", "a", "abcdefgh2", "abcdefgh10", "abcdefgh", "", "abc\u{e9}", "abc", "ab\u{0}"];
        let order = super::order_by_key(keys.len(), |i| keys.get(i).copied().unwrap_or(""));
        let got: Vec<&str> = order.iter().map(|&i| keys.get(i as usize).copied().unwrap_or("")).collect();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
        assert_eq!(super::ranks(&order).len(), keys.len());
    }
}
