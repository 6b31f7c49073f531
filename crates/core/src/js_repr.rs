//! How integers that cross into JS are marked. The binding's serializer (`src/api/js.rs`) makes every
//! `u64` a JS `number`, as the generated typings say; an amount in µT serializes with [`bigint`] (and
//! `#[ts(type = "bigint")]`) so it is a `bigint` at every size, and a transaction id with [`decimal`].

use serde::Serializer;

/// A `u64` amount that JS sees as a `bigint` at every size (napi makes a `BigInt` of a `u128`).
pub fn bigint<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(u128::from(*v))
}

/// `bigint` for a present value (pair with `skip_serializing_if = "Option::is_none"`).
pub fn bigint_opt<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => bigint(v, s),
        None => s.serialize_none(),
    }
}

/// A list of `bigint`s.
pub fn bigint_vec<S: Serializer>(v: &[u64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&u128::from(*x))?;
    }
    seq.end()
}

/// A `u64` id that JS sees as a decimal string (transaction ids exceed 2^53). Written on the stack: events
/// are serialized on the JS thread, where an allocation per id shows in the delivery rate.
pub fn decimal<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = *v;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    s.serialize_str(std::str::from_utf8(&buf[at..]).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals_are_exact_at_every_size() {
        for n in [0u64, 7, 10, 4_294_967_296, 9_007_199_254_740_993, u64::MAX] {
            let mut out = Vec::new();
            super::decimal(&n, &mut serde_json::Serializer::new(&mut out)).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), format!("\"{n}\""));
        }
    }
}
