//! Message signing with the wallet's key (Schnorr, Tari's wallet message-signing domain), and
//! verification against a public key or an address, with no wallet needed.

use tari_common_types::types::{CompressedPublicKey, PrivateKey, SignatureWithDomain};
use tari_crypto::ristretto::RistrettoPublicKey;
use tari_hashing::WalletMessageSigningDomain;
use tari_utilities::hex::Hex;

use super::address;
use super::entry::WalletEntry;
use crate::error::{SdkError, SdkResult};

type MessageSignature = SignatureWithDomain<WalletMessageSigningDomain>;

/// `<public nonce hex><signature scalar hex>`: 128 hex characters.
pub fn sign(secret: &PrivateKey, message: &str) -> SdkResult<String> {
    let sig = MessageSignature::sign(secret, message.as_bytes(), &mut rand::rng())
        .map_err(|e| SdkError::internal(format!("signing failed: {e}")))?;
    Ok(format!("{}{}", sig.get_public_nonce().to_hex(), sig.get_signature().to_hex()))
}

/// A signer given as a 64-hex public key or as a Tari address (its spend key).
pub fn signer_key(text: &str) -> SdkResult<CompressedPublicKey> {
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return CompressedPublicKey::from_hex(text).map_err(|_| SdkError::invalid_argument("not a valid public key"));
    }
    Ok(address::parse(text)?.comms_public_key().clone())
}

/// False for any signature that does not verify, including malformed ones.
pub fn verify(signer: &CompressedPublicKey, message: &str, signature_hex: &str) -> bool {
    if signature_hex.len() != 128 {
        return false;
    }
    let (nonce_hex, scalar_hex) = signature_hex.split_at(64);
    let (Ok(nonce), Ok(scalar), Ok(key)) =
        (RistrettoPublicKey::from_hex(nonce_hex), PrivateKey::from_hex(scalar_hex), signer.to_public_key())
    else {
        return false;
    };
    MessageSignature::new(nonce, scalar).verify(&key, message.as_bytes())
}

pub fn public_key(secret: &PrivateKey) -> CompressedPublicKey {
    CompressedPublicKey::from_secret_key(secret)
}

/// A message signed with a wallet's key.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedMessage {
    /// 128 hex characters: the public nonce then the signature scalar.
    pub signature: String,
    /// The signing public key (hex); equal to the spend key of the wallet's address.
    pub public_key: String,
}

/// Signs `message` with the wallet's key (its node identity's secret, the spend key of its address).
pub fn sign_with(entry: &WalletEntry, message: &str) -> SdkResult<SignedMessage> {
    // Its node identity comes from a placeholder seed, not the address's spend key.
    super::keys::refuse_if_view_only(entry, "signMessage")?;
    let secret = entry.with(|w| w.node_identity.secret_key().clone())?;
    Ok(SignedMessage { signature: sign(&secret, message)?, public_key: public_key(&secret).to_hex() })
}

/// `verify` for a signer given as text (an address in any encoding, or a public key in hex).
pub fn verify_text(signer: &str, message: &str, signature_hex: &str) -> SdkResult<bool> {
    Ok(verify(&signer_key(signer)?, message, signature_hex))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify_and_reject_tampering() {
        let secret = <PrivateKey as tari_utilities::ByteArray>::from_canonical_bytes(&[7u8; 32]).unwrap();
        let signer = public_key(&secret);
        let sig = sign(&secret, "pay 42 to bob").unwrap();
        assert!(verify(&signer, "pay 42 to bob", &sig));
        assert!(!verify(&signer, "pay 43 to bob", &sig));
        assert!(!verify(&signer, "pay 42 to bob", &sig[..127]));
        assert!(!verify(&signer, "pay 42 to bob", &"0".repeat(128)));
    }
}
