//! Argument checks shared by the exports. JS numbers arrive as `f64` so that NaN, fractions and negatives
//! are rejected with `ERR_INVALID_ARGUMENT` instead of being coerced by N-API.

use napi::bindgen_prelude::{BigInt, Either, Uint8Array};

use crate::ops::OpSpec;
use sdk::error::{SdkError, SdkResult};
use sdk::runtime::RuntimeKind;

/// `limits.maxRequestBytes`, the bound on every string or buffer argument.
pub fn within_request_limit(name: &str, len: usize) -> SdkResult<()> {
    let max = sdk::config::current().config.limits.max_request_bytes as usize;
    if len > max {
        return Err(SdkError::invalid_argument(format!("{name} is {len} bytes, more than limits.maxRequestBytes ({max})")));
    }
    Ok(())
}

/// A base node URL argument (`config::is_base_node_url`). The error shows at most its first 64
/// characters, with any credentials redacted.
pub fn base_node_url(url: &str) -> SdkResult<()> {
    if sdk::config::is_base_node_url(url) {
        return Ok(());
    }
    Err(SdkError::invalid_argument(format!("base node URL {} is not an http(s) URL", sdk::error::shown(&sdk::config::redact_url(url)))))
}

pub fn whole_number(name: &str, value: f64, min: u64, max: u64) -> SdkResult<u64> {
    if !value.is_finite() || value.fract() != 0.0 || value < min as f64 || value > max as f64 {
        return Err(SdkError::invalid_argument(format!("{name} must be a whole number in {min}..={max}, got {value}")));
    }
    Ok(value as u64)
}

/// A string argument's UTF-8 or a byte argument's bytes.
pub fn bytes_arg(value: &Either<String, Uint8Array>) -> Vec<u8> {
    match value {
        Either::A(text) => text.as_bytes().to_vec(),
        Either::B(bytes) => bytes.to_vec(),
    }
}

pub fn amount_arg(name: &str, v: &BigInt) -> SdkResult<u64> {
    let (negative, value, lossless) = v.get_u64();
    if negative || !lossless {
        return Err(SdkError::invalid_argument(format!("{name} must be a bigint in 1..=18446744073709551615 µT")));
    }
    Ok(value)
}

pub fn fee_arg(v: Option<&BigInt>) -> SdkResult<Option<u64>> {
    v.map(|b| amount_arg("feePerGram", b)).transpose()
}

/// `feePerGram` of a payment: µT per gram (default 5) or `'auto'`.
pub fn fee_rate_arg(v: Option<&napi::bindgen_prelude::Either<BigInt, String>>) -> SdkResult<sdk::wallet::transactions::FeeRate> {
    use napi::bindgen_prelude::Either;
    use sdk::wallet::transactions::{fee_per_gram, FeeRate};
    match v {
        None => Ok(FeeRate::Fixed(fee_per_gram(None)?)),
        Some(Either::A(b)) => Ok(FeeRate::Fixed(fee_per_gram(Some(amount_arg("feePerGram", b)?))?)),
        Some(Either::B(s)) if s == "auto" => Ok(FeeRate::Auto),
        Some(Either::B(_)) => Err(SdkError::invalid_argument("feePerGram must be a bigint (µT per gram) or 'auto'")),
    }
}

pub fn tx_id_arg(id: &str) -> SdkResult<u64> {
    id.parse::<u64>().map_err(|_| {
        // Echo short input only: error messages stay small whatever the caller sent.
        let shown = if id.len() <= 32 { format!("{id:?}") } else { format!("a {}-byte string", id.len()) };
        SdkError::invalid_argument(format!("{shown} is not a transaction id (a decimal string)"))
    })
}

pub fn message_arg(m: Option<String>) -> SdkResult<String> {
    let m = m.unwrap_or_default();
    crate::api::args::within_request_limit("message", m.len())?;
    Ok(m)
}

pub const fn wallet_op(name: &'static str) -> OpSpec {
    OpSpec::new(name, RuntimeKind::Wallet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_checked_strictly() {
        assert_eq!(whole_number("n", 5.0, 0, 10).ok(), Some(5));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 2.5, 11.0] {
            assert!(whole_number("n", bad, 0, 10).is_err(), "{bad}");
        }
    }
}
