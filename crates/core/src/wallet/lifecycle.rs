//! Create, restore, open and close real `minotari_wallet` instances.
//!
//! The sequence follows the console wallet: database backends (Argon2 key derivation), master seed, node
//! identity, then `WalletSqlite::start`. Key work runs on the crypto runtime's blocking pool; the wallet's
//! services run on the wallet runtime, where `start` is called.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use minotari_wallet::output_manager_service::storage::database::OutputManagerDatabase;
use minotari_wallet::storage::database::WalletDatabase;
use minotari_wallet::storage::sqlite_utilities::initialize_sqlite_database_backends;
use minotari_wallet::wallet::{derive_comms_secret_key, read_or_create_master_seed};
use minotari_wallet::{WalletConfig, WalletSqlite};
use tari_common::configuration::Network;
use tari_common_types::seeds::cipher_seed::CipherSeed;
use tari_common_types::tari_address::TariAddress;
use tari_comms::{peer_manager::PeerFeatures, NodeIdentity};
use tari_p2p::auto_update::AutoUpdateConfig;
use tari_shutdown::Shutdown;
use tari_transaction_components::consensus::ConsensusManager;
use tari_transaction_components::crypto_factories::CryptoFactories;
use tari_utilities::{ByteArray, SafePassword};
use zeroize::Zeroizing;

use super::entry::{Link, WalletEntry};
use super::event_log::EventLog;
use super::gate::SpendGate;
use super::journal::Journal;
use super::layout::{check_data_dir, lock_file, remove_wallet_files};
use super::{errors, files, network, registry, seeds};
use crate::error::{ErrorCode, SdkError, SdkResult};
use crate::runtime::{RuntimeKind, RuntimePool};

pub enum Mode {
    Create,
    Restore {
        seed_words: Zeroizing<String>,
        /// CipherSeed's own passphrase the words were written under (`wallet::seeds`).
        seed_passphrase: Option<Zeroizing<String>>,
        birthday: Option<u16>,
    },
    /// A view-only wallet (`wallet::keys`).
    View(Box<super::keys::ViewWalletKeys>),
    Open,
}

/// An open as the caller asked for it; `None` takes the configured default (`network.name`,
/// `network.baseNodeUrls`, `wallet.*`).
pub struct OpenRequest {
    /// Absolute.
    pub data_dir: PathBuf,
    pub passphrase: Zeroizing<String>,
    pub network: Option<Network>,
    pub base_node_urls: Option<Vec<String>>,
    pub scanning_interval_secs: Option<u64>,
    pub db_pool_size: Option<usize>,
    pub confirmations: Option<u64>,
    pub mode: Mode,
    /// Who opened it (an opaque id; the napi layer passes its JS environment): when the owner goes, its
    /// wallets are closed.
    pub owner: u64,
}

/// An `OpenRequest` with the defaults filled in.
struct Resolved {
    data_dir: PathBuf,
    passphrase: Zeroizing<String>,
    network: Network,
    base_node_urls: Vec<String>,
    scanning_interval_secs: u64,
    db_pool_size: usize,
    confirmations: u64,
    mode: Mode,
    owner: u64,
}

impl OpenRequest {
    fn resolve(self, c: &crate::config::Config) -> Resolved {
        Resolved {
            data_dir: self.data_dir,
            passphrase: self.passphrase,
            network: self.network.unwrap_or_else(|| c.network.name.network()),
            base_node_urls: self.base_node_urls.unwrap_or_else(|| c.network.base_node_urls.clone()),
            scanning_interval_secs: self.scanning_interval_secs.unwrap_or(c.wallet.scanning_interval_secs),
            db_pool_size: self.db_pool_size.unwrap_or(c.wallet.db_pool_size as usize),
            confirmations: self.confirmations.unwrap_or(c.wallet.confirmations),
            mode: self.mode,
            owner: self.owner,
        }
    }
}

/// Opens a wallet and resolves to its handle. The open is not cut short when the caller stops waiting
/// (a timeout or abort drops this future): stopping the library half-way could leave a half-written
/// database, so the open finishes on a task of its own, and a wallet nobody waits for any more is closed
/// again.
pub async fn open_to_completion(pool: Arc<RuntimePool>, req: OpenRequest) -> SdkResult<u32> {
    let state = crate::config::current();
    let (req, max) = (req.resolve(&state.config), state.config.limits.max_wallet_instances as usize);
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        if let Err(Ok(handle)) = tx.send(open(pool, req, max).await) {
            tracing::info!(handle, "closing a wallet whose open was abandoned");
            if let Ok(entry) = registry::remove(handle) {
                entry.close().await;
            }
        }
    });
    rx.await.map_err(|_| SdkError::internal("the wallet open task ended without a result"))?
}

/// The library's primary and fallback base node: the first two of `urls`.
fn set_base_nodes(c: &mut WalletConfig, urls: &[String]) {
    if let Some(primary) = urls.first() {
        c.http_server_url = primary.clone();
        // Without this the library falls back to the public rpc.<network>.tari.com host.
        c.fallback_http_server_url = urls.get(1).unwrap_or(primary).clone();
    }
}

fn wallet_config(req: &Resolved) -> WalletConfig {
    let mut c = WalletConfig {
        network: req.network,
        scanning_interval: req.scanning_interval_secs.max(1),
        db_connection_pool_size: req.db_pool_size,
        ..WalletConfig::default()
    };
    set_base_nodes(&mut c, &req.base_node_urls);
    // The broadcast monitor sleeps this long outside its shutdown select; keep close prompt.
    c.transaction_service_config.broadcast_monitoring_timeout = Duration::from_secs(2);
    // Both services decide "confirmed": the transactions and the outputs (balances).
    c.transaction_service_config.num_confirmations_required = req.confirmations;
    c.output_manager_service_config.num_confirmations_required = req.confirmations;
    c.set_base_path(&req.data_dir);
    c
}

struct Prepared {
    wallet_db: WalletDatabase<minotari_wallet::storage::sqlite_db::wallet::WalletSqliteDatabase>,
    output_db: OutputManagerDatabase<minotari_wallet::output_manager_service::storage::sqlite_db::OutputManagerSqliteDatabase>,
    tx_backend: minotari_wallet::transaction_service::storage::sqlite_db::TransactionServiceSqliteDatabase,
    om_backend: minotari_wallet::output_manager_service::storage::sqlite_db::OutputManagerSqliteDatabase,
    km_backend: tari_transaction_key_manager::storage::sqlite_db::TransactionKeyManagerSqliteDatabase<
        minotari_wallet::storage::sqlite_utilities::WalletDbConnection,
    >,
    seed: CipherSeed,
    node_identity: Arc<NodeIdentity>,
    journal: Journal,
    event_log: EventLog,
    /// The log is new but the wallet is not: its history so far is remembered, not announced.
    baseline: bool,
    view_only: bool,
}

/// Blocking: Argon2 for the database key and the seed cipher, SQLite setup, the SDK's journal.
fn prepare(base: &Path, config: &WalletConfig, passphrase: &str, mode: Mode) -> SdkResult<Prepared> {
    let db_file = &config.db_file;
    let exists = db_file.exists();
    match (&mode, exists) {
        (Mode::Open, false) => {
            return Err(SdkError::new(ErrorCode::WalletNotFound, format!("no wallet database at {}", db_file.display())))
        }
        (Mode::Create | Mode::Restore { .. } | Mode::View(_), true) => {
            return Err(SdkError::new(
                ErrorCode::WalletExists,
                format!("a wallet database already exists at {}; open it instead", db_file.display()),
            ))
        }
        _ => {}
    }
    // Deciphering first means bad words never leave an empty database behind.
    let restore_seed = match &mode {
        Mode::Restore { seed_words, seed_passphrase, birthday } => {
            let mut seed = seeds::parse(seed_words, seed_passphrase.as_deref().map(String::as_str))?;
            if let Some(b) = birthday {
                seed.change_birthday(*b);
            }
            Some(seed)
        }
        _ => None,
    };
    files::private_dirs(base, db_file.parent().unwrap_or(base))?;
    // Whether a failure may delete the files: decided again under the library's lock, because the check
    // above ran before it (a create abandoned earlier may have finished this wallet in the meantime).
    let mut ours = !exists;
    let result = (|| -> SdkResult<Prepared> {
        if exists {
            super::migrations::check_passphrase_first(db_file, passphrase)?;
        }
        let (wallet_backend, tx_backend, om_backend, km_backend) =
            initialize_sqlite_database_backends(db_file, SafePassword::from(passphrase), config.db_connection_pool_size)
                .map_err(errors::storage)?;
        let wallet_db = WalletDatabase::new(wallet_backend);
        let output_db = OutputManagerDatabase::new(om_backend.clone());
        let stored = wallet_db.get_master_seed().map_err(errors::storage)?;
        super::library_indexes::add(db_file);
        let opening = matches!(mode, Mode::Open);
        let seed = match (mode, stored) {
            (Mode::Open, Some(seed)) => seed,
            (Mode::Open, None) => {
                return Err(SdkError::new(ErrorCode::WalletCorrupt, "the database holds no wallet (an interrupted create?)"))
            }
            (_, Some(_)) => {
                ours = false;
                return Err(SdkError::new(
                    ErrorCode::WalletExists,
                    "a wallet was created in this data directory meanwhile; open it instead",
                ));
            }
            (mode, None) => {
                // A view wallet's keys are stored before its (placeholder) seed: an interrupted create then
                // holds no seed and opens as corrupt, never as a random seed wallet.
                if let Mode::View(keys) = mode {
                    wallet_db.set_wallet_type(keys.wallet_type()).map_err(errors::storage)?;
                }
                read_or_create_master_seed(restore_seed, &wallet_db).map_err(errors::wallet)?
            }
        };
        let view_only = super::keys::is_view_only(wallet_db.get_wallet_type().map_err(errors::storage)?.as_ref());
        let comms_key = derive_comms_secret_key(&seed).map_err(errors::wallet)?;
        let node_identity = Arc::new(NodeIdentity::new(comms_key, vec![], PeerFeatures::COMMUNICATION_CLIENT));
        // Opened under the library's file lock, so one process at a time owns the journal too.
        let journal = Journal::open(base, node_identity.secret_key().as_bytes())?;
        let (event_log, log_created) = EventLog::open(base)?;
        files::private_file(&lock_file(db_file));
        let baseline = log_created && opening;
        Ok(Prepared {
            wallet_db,
            output_db,
            tx_backend,
            om_backend,
            km_backend,
            seed,
            node_identity,
            journal,
            event_log,
            baseline,
            view_only,
        })
    })();
    if let Err(e) = &result {
        // A failed create must not leave a half-made wallet that the next create would refuse; a lock error
        // means another create owns these files.
        if ours && e.code != ErrorCode::WalletLocked {
            remove_wallet_files(base);
        }
    }
    result
}

/// Opens (or creates, or restores) a wallet and registers it. Runs on the wallet runtime.
async fn open(pool: Arc<RuntimePool>, req: Resolved, max_wallets: usize) -> SdkResult<u32> {
    check_data_dir(&req.data_dir)?;
    let reservation = registry::reserve(max_wallets)?;
    super::draining::wait(&req.data_dir, super::draining::WAIT).await;
    let network = network::ensure(req.network)?;
    let mut config = wallet_config(&req);
    let Resolved { passphrase, mode, data_dir, base_node_urls, owner, .. } = req;
    let prep_config = config.clone();
    let base = data_dir.clone();
    let preparing = pool.handle(RuntimeKind::Crypto).spawn_blocking(move || prepare(&base, &prep_config, &passphrase, mode));
    // While the key derivation runs: ask the base nodes, so the library starts with the pair that answers.
    let (prepared, urls) = tokio::join!(preparing, crate::base_node::healthy_first(&base_node_urls));
    let prepared = prepared.map_err(|e| SdkError::internal(format!("wallet preparation task failed: {e}")))??;
    set_base_nodes(&mut config, &urls);
    crate::tls_roots::prepare_for(&[config.http_server_url.as_str(), config.fallback_http_server_url.as_str()]);

    let shutdown = Shutdown::new();
    let wallet = WalletSqlite::start(
        config.clone(),
        AutoUpdateConfig::default(),
        prepared.node_identity,
        ConsensusManager::builder(network).build(),
        CryptoFactories::default(),
        prepared.wallet_db,
        prepared.output_db,
        prepared.tx_backend,
        prepared.om_backend,
        prepared.km_backend,
        shutdown.to_signal(),
        prepared.seed,
        None,
    )
    .await
    .map_err(errors::wallet)?;
    let closed = tokio_util::sync::CancellationToken::new();
    let first_round = super::scan_round::first_round(wallet.utxo_scanner_service.clone().get_event_receiver(), closed.clone());
    let address = match ready(&wallet, &prepared.journal).await {
        Ok(a) => a,
        Err(e) => {
            super::scan_round::after_first_round(first_round).await;
            closed.cancel();
            shutdown.trigger();
            wallet.wait_until_shutdown().await;
            return Err(e);
        }
    };
    let opened_at = Instant::now();
    let entry = Arc::new(WalletEntry {
        handle: registry::next_handle(),
        owner,
        data_dir,
        network,
        address,
        opened_at,
        base_node_urls: urls,
        confirmations: config.transaction_service_config.num_confirmations_required,
        events: super::events::channel(),
        tip: std::sync::atomic::AtomicU64::new(0),
        link: Mutex::new(Link { status: "unknown", latency_ms: None, tip_changed_at: opened_at }),
        wallet: Mutex::new(Some(wallet)),
        shutdown: Mutex::new(Some(shutdown)),
        closed,
        first_round,
        spends: SpendGate::new(prepared.journal),
        event_log: prepared.event_log,
        view_only: prepared.view_only,
        reads: Default::default(),
    });
    if let Some(closed) = entry.closing() {
        tokio::spawn(super::pump::pump(entry.clone(), closed, prepared.baseline));
    }
    tracing::info!(handle = entry.handle, network = %network, "wallet opened");
    Ok(registry::insert(reservation, entry))
}

/// Before the wallet takes calls: what a crash left behind is put right, then its address.
async fn ready(wallet: &WalletSqlite, journal: &Journal) -> SdkResult<TariAddress> {
    // No spend can be in flight yet, so any output locked for a transaction the wallet lacks is an orphan.
    super::spend::release_orphaned_outputs(wallet.transaction_service.clone(), wallet.output_manager_service.clone(), journal).await?;
    // Stored but never broadcast (a crash right after the send): broadcast now, not at the next validation.
    if let Err(e) = wallet.transaction_service.clone().restart_broadcast_protocols().await {
        tracing::warn!("cannot restart the broadcast of stored transactions: {e}");
    }
    wallet.get_wallet_one_sided_address().map_err(|e| SdkError::internal(format!("cannot derive the wallet address: {e}")))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::migrations;
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    /// Every file beside the database (the -wal, -shm and lock files included), by content.
    fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect()
    }

    #[test]
    fn a_wrong_passphrase_leaves_an_older_wallet_unmigrated_and_byte_for_byte_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let db_dir = tmp.path().join("db");
        std::fs::create_dir_all(&db_dir).unwrap();
        let db_file = db_dir.join("console_wallet.db");
        let config = WalletConfig { db_file: db_file.clone(), ..WalletConfig::default() };
        drop(prepare(tmp.path(), &config, "pw", Mode::Create).unwrap());
        assert!(!migrations::pending(&db_file), "a wallet this library made has nothing pending");

        // The wallet as 6.2.0's previous schema left it: its newest migration undone. Written for the pinned
        // library; when it changes, undo its newest migration here instead.
        assert_eq!(migrations::NEWEST.as_deref(), Some("20261015000000"), "the pinned library's newest migration");
        let mut c = SqliteConnection::establish(db_file.to_str().unwrap()).unwrap();
        c.batch_execute(
            "ALTER TABLE completed_transactions DROP COLUMN source_address_claimed;
             DELETE FROM __diesel_schema_migrations WHERE version = '20261015000000';",
        )
        .unwrap();
        drop(c);
        assert!(migrations::pending(&db_file));

        // Through the SDK's open path, as `openWallet` takes it.
        let before = snapshot(&db_dir);
        let err = prepare(tmp.path(), &config, "wrong", Mode::Open).err().unwrap();
        assert_eq!(err.code, ErrorCode::WrongPassphrase);
        assert!(migrations::pending(&db_file), "nothing was migrated");
        assert!(snapshot(&db_dir) == before, "every file is byte-for-byte as it was");

        drop(prepare(tmp.path(), &config, "pw", Mode::Open).unwrap());
        assert!(!migrations::pending(&db_file), "the right passphrase migrates it");
    }
}
