//! Real Tari wallets: the `minotari_wallet` library set up, run and shut down behind numeric handles.

pub mod address;
pub mod balance;
pub mod entry;
pub mod errors;
pub mod event_log;
pub mod events;
pub mod files;
pub mod gate;
pub mod history;
pub mod journal;
pub mod keys;
pub mod layout;
pub mod lifecycle;
pub mod messages;
pub mod migrations;
pub mod network;
pub mod offline;
pub mod pump;
pub mod queries;
pub mod registry;
pub mod rescan;
pub mod seeds;
pub mod spend;
pub mod transactions;
pub mod tx_state;
pub mod utxos;
