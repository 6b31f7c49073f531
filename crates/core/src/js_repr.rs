//! How integers that cross into JS are represented. napi's serializer turns a `u64` above 2^32 into a
//! `bigint` and a smaller one into a `number`, so a field's JS type would depend on its value. A `u64` that
//! can grow that large serializes with [`number`]; an amount in µT with [`bigint`] (and
//! `#[ts(type = "bigint")]`), so it is a `bigint` at every size; a transaction id with [`decimal`].

use serde::Serializer;

/// A `u64` that JS sees as a `number` at every size (exact up to 2^53).
pub fn number<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(*v as f64)
}

/// A `u64` amount that JS sees as a `bigint` at every size (napi makes a `BigInt` of a `u128`).
pub fn bigint<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(u128::from(*v))
}

/// A `u64` id that JS sees as a decimal string (transaction ids exceed 2^53).
pub fn decimal<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}
