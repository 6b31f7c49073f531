//! Fuzz targets for everything that parses caller input in Rust: addresses, seed words and configuration
//! (environment variables and patches). Each input must give a value or a typed error with its code, never
//! a panic, and no error may show more than 64 characters of the input.
//!
//! Inputs come from proptest strategies that mix arbitrary Unicode with text shaped like the real thing
//! (base58, hex, emoji, seed words, config values). `cargo test` runs each target for a few thousand
//! inputs; `npm run bench parsers` runs each for `FUZZ_SECS` (default 600). Coverage-guided engines
//! (cargo fuzz, libFuzzer) need a nightly toolchain with sanitizers, which this project's machines cannot
//! fetch.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use crate::config::ConfigState;
use crate::error::{ErrorCode, SdkError, MAX_ECHO_CHARS};
use crate::wallet::{address, seeds};

const ROUND: u32 = 2_000;

/// Runs `check` on inputs from `strategy`: one round, or rounds for `FUZZ_SECS` seconds.
fn fuzz<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: Debug,
{
    let budget = std::env::var("FUZZ_SECS").ok().and_then(|s| s.parse::<u64>().ok()).map(Duration::from_secs);
    let started = Instant::now();
    let mut inputs = 0u64;
    loop {
        // A new runner draws a new seed, so every round explores fresh inputs.
        let mut runner = TestRunner::new(Config { cases: ROUND, failure_persistence: None, ..Config::default() });
        if let Err(e) = runner.run(&strategy, &check) {
            panic!("{name}: {e}");
        }
        inputs += u64::from(ROUND);
        if budget.is_none_or(|b| started.elapsed() >= b) {
            break;
        }
    }
    // Read by bench/parsers.js.
    eprintln!("FUZZ {name} {inputs} inputs in {:.1} s", started.elapsed().as_secs_f64());
}

/// No more than `MAX_ECHO_CHARS` consecutive characters of `input` appear in the message (plus the closing
/// quote the message may put after them).
fn echoes_little(e: &SdkError, input: &str) -> Result<(), TestCaseError> {
    let chars: Vec<char> = input.chars().collect();
    if chars.len() > MAX_ECHO_CHARS + 1 {
        let probe: String = chars[..MAX_ECHO_CHARS + 2].iter().collect();
        prop_assert!(!e.message.contains(&probe), "{:?} echoes its input: {}", e.code, e.message);
    }
    Ok(())
}

fn text_from(alphabet: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(alphabet), 0..max).prop_map(|parts| parts.concat())
}

const BASE58: &[&str] = &[
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "Q", "R", "S", "T",
    "U", "V", "W", "X", "Y", "Z", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
    "w", "x", "y", "z",
];
const HEX: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f", "A", "F"];
const EMOJI: &[&str] = &["🦀", "🐢", "🌈", "🎉", "🍕", "💎", "🚀", "🔑", "🐉", "🌵", "\u{0}", " "];
const WORDS: &[&str] = &["abandon", "ability", "able", "about", "above", "absent", "zoo", "zone", "wrong", "", "🦀", "ABANDON"];

fn address_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), text_from(BASE58, 140), text_from(HEX, 160), text_from(EMOJI, 40)]
}

#[test]
fn fuzz_address_parsing() {
    fuzz("fuzz_address_parsing", address_text(), |text| {
        for result in [address::parse(&text), address::parse_for(&text, tari_common::configuration::Network::LocalNet)] {
            if let Err(e) = result {
                prop_assert!(matches!(e.code, ErrorCode::InvalidAddress | ErrorCode::InvalidArgument), "{e}");
                echoes_little(&e, &text)?;
            }
        }
        Ok(())
    });
}

#[test]
fn fuzz_seed_words() {
    let words = prop::collection::vec(prop_oneof![prop::sample::select(WORDS).prop_map(String::from), any::<String>()], 0..30);
    fuzz("fuzz_seed_words", words, |words| {
        let phrase = words.join(" ");
        if let Err(e) = seeds::parse(&phrase, None) {
            prop_assert_eq!(e.code, ErrorCode::InvalidSeedWords, "{}", e);
            echoes_little(&e, &phrase)?;
        }
        Ok(())
    });
}

/// Known variable names, so random values reach the parsers behind them.
const VARS: &[&str] = &[
    "TARI_NETWORK",
    "TARI_BASE_NODE_URLS",
    "TARI_MAX_WALLET_INSTANCES",
    "TARI_LOG_LEVEL",
    "TARI_ENABLE_METRICS",
    "TARI_RETRY_ATTEMPTS",
    "TARI_TLS_ROOTS",
    "TARI_MEMORY_LIMIT_BYTES",
    "TARI_SOMETHING_UNKNOWN",
];

#[test]
fn fuzz_config_layers() {
    let value =
        prop_oneof![any::<String>(), text_from(HEX, 30), Just("http://127.0.0.1:9".to_string()), Just("18446744073709551616".to_string())];
    let input = (prop::collection::vec((prop::sample::select(VARS), value.clone()), 0..4), value);
    fuzz("fuzz_config_layers", input, |(vars, patch)| {
        let env: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        // The patch as JSON text, and as a value under every known section.
        let mut patches = vec![serde_json::from_str::<Value>(&patch).ok()];
        for section in ["network", "limits", "logging", "wallet", "retry", "health"] {
            patches.push(Some(serde_json::json!({ section: { "name": patch, "level": patch, "maxWalletInstances": patch } })));
        }
        for p in patches {
            if let Err(e) = ConfigState::load(None, &env, p) {
                prop_assert!(matches!(e.code, ErrorCode::Config | ErrorCode::InvalidArgument), "{}", e);
                echoes_little(&e, &patch)?;
                for (_, v) in &env {
                    echoes_little(&e, v)?;
                }
            }
        }
        Ok(())
    });
}
