//! 24-word Tari CipherSeed phrases. Deciphering runs Argon2 (tens of ms), so callers run these on the
//! crypto runtime's blocking pool.

use tari_common_types::seeds::cipher_seed::CipherSeed;
use tari_common_types::seeds::error::{CipherError, MnemonicError};
use tari_common_types::seeds::mnemonic::{Mnemonic, MnemonicLanguage};
use tari_common_types::seeds::seed_words::SeedWords;
use tari_utilities::{Hidden, SafePassword};
use zeroize::Zeroizing;

use crate::error::{Detail, ErrorCode, SdkError, SdkResult};

pub const WORD_COUNT: usize = 24;

fn invalid(reason: &'static str, message: impl Into<String>) -> SdkError {
    SdkError::new(ErrorCode::InvalidSeedWords, message).with("reason", Detail::Text(reason.into()))
}

/// The optional seed passphrase the words are enciphered under (CipherSeed's own; not the wallet's
/// database passphrase). It changes which 24 words stand for a seed, never the seed or its keys: the
/// wallet does not store it; the words need it wherever they are written down or restored.
fn cipher_passphrase(seed_passphrase: Option<&str>) -> Option<SafePassword> {
    seed_passphrase.map(SafePassword::from)
}

/// Parses and deciphers a phrase. Error messages never repeat the words.
pub fn parse(phrase: &str, seed_passphrase: Option<&str>) -> SdkResult<CipherSeed> {
    let words: Vec<Hidden<String>> = phrase.split_whitespace().map(|w| Hidden::hide(w.to_lowercase())).collect();
    if words.len() != WORD_COUNT {
        return Err(invalid("count", format!("a Tari seed phrase has {WORD_COUNT} words, got {}", words.len())));
    }
    CipherSeed::from_mnemonic(&SeedWords::new(words), cipher_passphrase(seed_passphrase)).map_err(|e| match e {
        CipherError::MnemonicError(MnemonicError::UnknownLanguage | MnemonicError::WordNotFound(_)) => {
            invalid("unknown-word", "a word is not in any supported seed word list")
        }
        CipherError::MnemonicError(_) => invalid("unknown-word", "the words do not form a valid mnemonic"),
        CipherError::CrcError => invalid("checksum", "the seed phrase checksum does not match (a word is wrong or out of order)"),
        CipherError::VersionMismatch | CipherError::DecryptionFailed => {
            invalid("decryption", "the seed phrase does not decipher (wrong words or a seed passphrase was used)")
        }
        _ => invalid("invalid", "the seed phrase is not a valid CipherSeed"),
    })
}

/// The English words of `seed`, enciphered under `seed_passphrase`, in a buffer that is wiped when dropped.
pub fn words(seed: &CipherSeed, seed_passphrase: Option<&str>) -> SdkResult<Zeroizing<Vec<String>>> {
    let words = seed
        .to_mnemonic(MnemonicLanguage::English, cipher_passphrase(seed_passphrase))
        .map_err(|e| SdkError::internal(format!("cannot encode the seed as words: {e}")))?;
    let joined = words.join(" ");
    Ok(Zeroizing::new(joined.reveal().split(' ').map(str::to_string).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_keep_the_birthday() {
        let seed = CipherSeed::random();
        let w = words(&seed, None).unwrap();
        assert_eq!(w.len(), WORD_COUNT);
        let back = parse(&w.join(" "), None).unwrap();
        assert_eq!(back.birthday(), seed.birthday());
        assert_eq!(*words(&back, None).unwrap(), *w);
    }

    #[test]
    fn a_seed_passphrase_gives_other_words_for_the_same_seed_and_only_it_deciphers_them() {
        let seed = CipherSeed::random();
        let plain = words(&seed, None).unwrap();
        let guarded = words(&seed, Some("correct horse")).unwrap();
        assert_ne!(*plain, *guarded);
        let back = parse(&guarded.join(" "), Some("correct horse")).unwrap();
        assert_eq!(back.entropy(), seed.entropy(), "the same seed, so the same keys and address");
        for wrong in [None, Some("wrong"), Some("")] {
            let e = parse(&guarded.join(" "), wrong).unwrap_err();
            assert_eq!((e.code, e.detail("reason")), (ErrorCode::InvalidSeedWords, Some(&Detail::Text("decryption".into()))));
            assert!(!e.message.contains("correct horse"));
        }
    }

    #[test]
    fn bad_phrases_are_typed_and_do_not_echo_words() {
        let seed = CipherSeed::random();
        let w = words(&seed, None).unwrap();
        let e = parse(&w[..23].join(" "), None).unwrap_err();
        assert_eq!((e.code, e.detail("reason")), (ErrorCode::InvalidSeedWords, Some(&Detail::Text("count".into()))));

        let mut unknown = w.clone();
        unknown[3] = "notaseedword".into();
        let e = parse(&unknown.join(" "), None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSeedWords);
        assert!(!e.message.contains(&w[0]));

        let mut swapped = w.clone();
        swapped.swap(0, 1);
        let e = parse(&swapped.join(" "), None).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSeedWords);
    }
}
