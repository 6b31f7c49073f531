//! Tari addresses: parsing with a reason for every failure, and the details a caller shows or checks.

use serde::Serialize;
use tari_common::configuration::Network;
use tari_common_types::tari_address::{TariAddress, TariAddressError, TariAddressFeatures};

use crate::error::{Detail, ErrorCode, SdkError, SdkResult};

/// An address in every encoding, with its network and features.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AddressInfo {
    pub base58: String,
    pub emoji: String,
    pub hex: String,
    #[ts(type = "NetworkName")]
    pub network: String,
    /// `dual` (view + spend key) or `single` (spend key only).
    #[ts(type = "'dual' | 'single'")]
    pub kind: &'static str,
    /// Can receive one-sided payments.
    pub one_sided: bool,
    pub interactive: bool,
    /// The payment id the address carries. A payment to the address carries it, in place of any message.
    #[serde(flatten)]
    #[ts(flatten)]
    pub payment_id: PaymentId,
}

pub fn info(a: &TariAddress) -> AddressInfo {
    let f = a.features();
    AddressInfo {
        base58: a.to_base58(),
        emoji: a.to_emoji_string(),
        hex: a.to_hex(),
        network: a.network().as_key_str().to_string(),
        kind: match a {
            TariAddress::Dual(_) => "dual",
            TariAddress::Single(_) => "single",
        },
        one_sided: f.contains(TariAddressFeatures::ONE_SIDED),
        interactive: f.contains(TariAddressFeatures::INTERACTIVE),
        payment_id: PaymentId::of(&payment_id_of(a)),
    }
}

/// A payment id as callers see it: hex, plus the text when the bytes are printable UTF-8. Both absent for
/// no id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, ts_rs::TS)]
pub struct PaymentId {
    /// The payment id, hex.
    #[serde(rename = "paymentId", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "paymentId", optional)]
    pub hex: Option<String>,
    /// The payment id as text, when it is printable UTF-8.
    #[serde(rename = "paymentIdText", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "paymentIdText", optional)]
    pub text: Option<String>,
}

impl PaymentId {
    pub fn of(bytes: &[u8]) -> Self {
        if bytes.is_empty() {
            return Self::default();
        }
        let text = std::str::from_utf8(bytes).ok().filter(|t| !t.chars().any(char::is_control)).map(str::to_string);
        Self { hex: Some(tari_utilities::hex::to_hex(bytes)), text }
    }
}

/// Most bytes of payment id a payment can carry. Addresses may hold 256, but a payment carries the id
/// twice within one 256-byte memo budget (in the recipient's output, and in the sender's change, which
/// records the recipient's address with its id). Measured on LocalNet with 6.2.0: 62 bytes pays (plain,
/// stealth, and 2 to 5 recipients at once); at 63 the transaction is built and then cancelled as invalid.
/// So `getAddress` makes no longer id, and a send refuses an address with one.
pub const MAX_PAYMENT_ID_BYTES: usize = 62;

/// The payment id `a` asks payers to carry; empty when it has none.
pub fn payment_id_of(a: &TariAddress) -> Vec<u8> {
    if a.features().contains(TariAddressFeatures::PAYMENT_ID) {
        a.get_memo_field_payment_id_bytes()
    } else {
        Vec::new()
    }
}

/// `address` carrying payment id `id` (bytes; a string is its UTF-8).
pub fn with_payment_id(address: &TariAddress, id: &[u8]) -> SdkResult<TariAddress> {
    if id.is_empty() || id.len() > MAX_PAYMENT_ID_BYTES {
        return Err(SdkError::invalid_argument(format!("paymentId is {} bytes; it must be 1 to {MAX_PAYMENT_ID_BYTES} bytes", id.len())));
    }
    address.with_memo_field_payment_id(id.to_vec()).map_err(|e| invalid("features", format!("this address cannot carry a payment id: {e}")))
}

pub fn invalid(reason: &'static str, message: impl Into<String>) -> SdkError {
    SdkError::new(ErrorCode::InvalidAddress, message).with("reason", Detail::Text(reason.into()))
}

fn map(e: TariAddressError, encoding: &str) -> SdkError {
    match e {
        TariAddressError::InvalidChecksum => invalid("checksum", format!("the {encoding} address checksum does not match")),
        TariAddressError::InvalidNetwork | TariAddressError::CannotRecoverNetwork => {
            invalid("network", format!("the {encoding} address names no known Tari network"))
        }
        TariAddressError::InvalidSize => invalid("size", format!("the {encoding} address has the wrong length")),
        TariAddressError::InvalidFeatures | TariAddressError::CannotRecoverFeature => {
            invalid("features", format!("the {encoding} address has invalid feature flags"))
        }
        other => invalid("encoding", format!("not a valid {encoding} Tari address: {}", crate::error::shown(&other.to_string()))),
    }
}

/// What `validateAddress` answers: an invalid address is an answer here, not an error.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct AddressValidation {
    pub valid: bool,
    /// Why it is invalid: checksum, network, size, features or encoding.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub address: Option<AddressInfo>,
}

impl AddressValidation {
    /// Turns `ERR_INVALID_ADDRESS` into `{ valid: false }`; any other error stays an error.
    pub fn of(parsed: SdkResult<AddressInfo>) -> SdkResult<Self> {
        match parsed {
            Ok(info) => Ok(Self { valid: true, reason: None, message: None, address: Some(info) }),
            Err(e) if e.code == ErrorCode::InvalidAddress => Ok(Self {
                valid: false,
                reason: match e.detail("reason") {
                    Some(Detail::Text(r)) => Some(r.clone()),
                    _ => None,
                },
                message: Some(e.message),
                address: None,
            }),
            Err(e) => Err(e),
        }
    }
}

/// Parses base58, emoji or hex (chosen from the characters, so the error names the real problem).
/// Far above any real address (an emoji address with the longest payment id is ~1.3 KB); decoding cost
/// grows with the square of the length, so longer text is refused before any decoding.
const MAX_ADDRESS_BYTES: usize = 4096;

/// The dual (view + spend) address of two public keys, hex, on `network` with feature bits `features` (1:
/// one-sided, 2: interactive): how an address is made from keys, as view-only tools and the LocalNet harness
/// do.
pub fn from_keys(view_key: &str, spend_key: &str, network: Network, features: u8) -> SdkResult<TariAddress> {
    let key = |name: &str, hex: &str| {
        <tari_common_types::types::CompressedPublicKey as tari_utilities::hex::Hex>::from_hex(hex)
            .map_err(|_| SdkError::invalid_argument(format!("{name} is not a public key (64 hex characters)")))
    };
    let features = TariAddressFeatures::from_bits(features)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| invalid("features", format!("{features} is not a set of address features (1: one-sided, 2: interactive)")))?;
    TariAddress::new_dual_address(key("viewKey", view_key)?, key("spendKey", spend_key)?, network, features, None)
        .map_err(|e| invalid("encoding", format!("cannot make an address of these keys: {}", crate::error::shown(&e.to_string()))))
}

pub fn parse(text: &str) -> SdkResult<TariAddress> {
    if text.len() > MAX_ADDRESS_BYTES {
        return Err(invalid("size", format!("the address is {} bytes; no Tari address is longer than {MAX_ADDRESS_BYTES}", text.len())));
    }
    let s = text.trim();
    if s.is_empty() {
        return Err(invalid("encoding", "the address is empty"));
    }
    if !s.is_ascii() {
        return TariAddress::from_emoji_string(s).map_err(|e| map(e, "emoji"));
    }
    let hex_like = s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit()) && (s.len() == 70 || s.len() >= 134);
    if hex_like {
        return TariAddress::from_hex(s).map_err(|e| map(e, "hex"));
    }
    if !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid("encoding", "the address has characters outside base58, hex and the emoji set"));
    }
    TariAddress::from_base58(s).map_err(|e| map(e, "base58"))
}

/// Parses and checks the address is for `network` and can receive one-sided payments.
pub fn parse_for(text: &str, network: Network) -> SdkResult<TariAddress> {
    let a = parse(text)?;
    if a.network() != network {
        return Err(invalid("network", format!("the address is for {}, not {network}", a.network())));
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_from_keys_match_the_library_test_vector() {
        let (view, spend) = (
            "3c0223f2be5917384926cbe1a3cd32a907963a933c035801e3f99d1902f3e924",
            "d09dfde45e45456b7a8935fecfc0ebea431548d105d2f098a488820526395a61",
        );
        let a = from_keys(view, spend, Network::MainNet, 1).unwrap();
        assert_eq!(a.to_base58(), "126J92Yow5y9UoRFd1DNujPmVFq9C1ZeiYWT95UKxz5Y1rzbfjtHg4SCZS1dk83ivzt3m2XRQHTaYUk9SwmyeCvy5BJ");
        assert_eq!(from_keys(view, "zz", Network::MainNet, 1).unwrap_err().code, ErrorCode::InvalidArgument);
        assert_eq!(from_keys(view, spend, Network::MainNet, 0).unwrap_err().code, ErrorCode::InvalidAddress);
        assert_eq!(from_keys(view, spend, Network::MainNet, 0x80).unwrap_err().code, ErrorCode::InvalidAddress);
    }
    use tari_common_types::types::CompressedPublicKey;
    use tari_utilities::hex::Hex;

    /// The Ristretto basepoint: a valid public key without needing an RNG here.
    const BASEPOINT: &str = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76";

    fn sample(network: Network) -> TariAddress {
        let key = CompressedPublicKey::from_hex(BASEPOINT).unwrap();
        TariAddress::new_dual_address_with_default_features(key.clone(), key, network).unwrap()
    }

    #[test]
    fn every_encoding_round_trips() {
        let a = sample(Network::LocalNet);
        let i = info(&a);
        for text in [&i.base58, &i.emoji, &i.hex] {
            assert_eq!(parse(text).unwrap(), a, "{text}");
        }
        assert_eq!((i.network.as_str(), i.kind, i.one_sided), ("localnet", "dual", true));
    }

    fn reason(text: &str) -> String {
        match parse(text).unwrap_err().detail("reason") {
            Some(Detail::Text(r)) => r.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn failures_carry_a_reason() {
        let i = info(&sample(Network::LocalNet));
        let mut bad_checksum = i.base58.clone().into_bytes();
        let last = bad_checksum.len() - 1;
        bad_checksum[last] = if bad_checksum[last] == b'2' { b'3' } else { b'2' };
        assert_eq!(reason(std::str::from_utf8(&bad_checksum).unwrap()), "checksum");
        assert_eq!(reason(&i.base58[..40]), "size");
        assert_eq!(reason("not an address!"), "encoding");
        assert_eq!(reason(""), "encoding");
        let e = parse_for(&i.base58, Network::Esmeralda).unwrap_err();
        assert_eq!(e.detail("reason"), Some(&Detail::Text("network".into())));
    }

    #[test]
    fn a_payment_id_rides_in_the_address_and_comes_back_out() {
        let plain = sample(Network::LocalNet);
        assert_eq!(info(&plain).payment_id, PaymentId::default());
        let a = with_payment_id(&plain, b"customer-42").unwrap();
        let i = info(&parse(&info(&a).base58).unwrap()).payment_id;
        assert_eq!(i.hex.as_deref(), Some(tari_utilities::hex::to_hex(b"customer-42").as_str()));
        assert_eq!(i.text.as_deref(), Some("customer-42"));
        let binary = info(&with_payment_id(&plain, &[0, 1, 2, 0xff]).unwrap()).payment_id;
        assert_eq!((binary.hex.as_deref(), binary.text), (Some("000102ff"), None));
        assert!(with_payment_id(&plain, &[7; MAX_PAYMENT_ID_BYTES]).is_ok());
        for bad in [&[][..], &[7; MAX_PAYMENT_ID_BYTES + 1][..]] {
            assert_eq!(with_payment_id(&plain, bad).unwrap_err().code, ErrorCode::InvalidArgument);
        }
    }

    #[test]
    fn payment_ids_are_text_only_when_printable() {
        assert_eq!(PaymentId::of(b""), PaymentId::default());
        assert_eq!(PaymentId::of("größe 5".as_bytes()).text.as_deref(), Some("größe 5"));
        assert_eq!(PaymentId::of(b"line\nbreak").text, None);
        assert_eq!(PaymentId::of(&[0xc3]).text, None);
    }

    /// The committed seed vector (`__test__/vectors/seed-addresses.json`): its mainnet and nextnet addresses
    /// are its localnet address's keys and features under those networks' bytes, as tari_common_types
    /// builds them.
    #[test]
    fn the_seed_vector_s_other_addresses_are_its_keys_on_those_networks() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../__test__/vectors/seed-addresses.json");
        let vector: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let text = |k: &str| vector[k].as_str().unwrap().to_string();
        let TariAddress::Dual(local) = TariAddress::from_base58(&text("localnet")).unwrap() else { panic!("not a dual address") };
        assert_eq!(local.network(), Network::LocalNet);
        for (name, network, byte) in [("mainnet", Network::MainNet, 0x00), ("nextnet", Network::NextNet, 0x02)] {
            let address = TariAddress::new_dual_address(
                local.public_view_key().clone(),
                local.public_spend_key().clone(),
                network,
                local.features(),
                None,
            )
            .unwrap();
            assert_eq!(address.to_base58(), text(name));
            assert_eq!(address.to_hex(), text(&format!("{name}Hex")));
            assert_eq!(address.to_vec()[0], byte, "{name}'s network byte");
        }
    }
}
