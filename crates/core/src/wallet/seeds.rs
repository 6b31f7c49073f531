//! 24-word Tari CipherSeed phrases. Deciphering runs Argon2 (tens of ms), so callers run these on the
//! crypto runtime's blocking pool.

use tari_common_types::seeds::cipher_seed::CipherSeed;
use tari_common_types::seeds::error::{CipherError, MnemonicError};
use tari_common_types::seeds::mnemonic::{Mnemonic, MnemonicLanguage};
use tari_common_types::seeds::seed_words::SeedWords;
use tari_utilities::Hidden;
use zeroize::Zeroizing;

use crate::error::{Detail, ErrorCode, SdkError, SdkResult};

pub const WORD_COUNT: usize = 24;

fn invalid(reason: &'static str, message: impl Into<String>) -> SdkError {
    SdkError::new(ErrorCode::InvalidSeedWords, message).with("reason", Detail::Text(reason.into()))
}

/// Parses and deciphers a phrase. Error messages never repeat the words.
pub fn parse(phrase: &str) -> SdkResult<CipherSeed> {
    let words: Vec<Hidden<String>> = phrase.split_whitespace().map(|w| Hidden::hide(w.to_lowercase())).collect();
    if words.len() != WORD_COUNT {
        return Err(invalid("count", format!("a Tari seed phrase has {WORD_COUNT} words, got {}", words.len())));
    }
    CipherSeed::from_mnemonic(&SeedWords::new(words), None).map_err(|e| match e {
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

/// The English words of `seed`, in a buffer that is wiped when dropped.
pub fn words(seed: &CipherSeed) -> SdkResult<Zeroizing<Vec<String>>> {
    let words = seed
        .to_mnemonic(MnemonicLanguage::English, None)
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
        let w = words(&seed).unwrap();
        assert_eq!(w.len(), WORD_COUNT);
        let back = parse(&w.join(" ")).unwrap();
        assert_eq!(back.birthday(), seed.birthday());
        assert_eq!(*words(&back).unwrap(), *w);
    }

    #[test]
    fn bad_phrases_are_typed_and_do_not_echo_words() {
        let seed = CipherSeed::random();
        let w = words(&seed).unwrap();
        let e = parse(&w[..23].join(" ")).unwrap_err();
        assert_eq!((e.code, e.detail("reason")), (ErrorCode::InvalidSeedWords, Some(&Detail::Text("count".into()))));

        let mut unknown = w.clone();
        unknown[3] = "notaseedword".into();
        let e = parse(&unknown.join(" ")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSeedWords);
        assert!(!e.message.contains(&w[0]));

        let mut swapped = w.clone();
        swapped.swap(0, 1);
        let e = parse(&swapped.join(" ")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidSeedWords);
    }
}
