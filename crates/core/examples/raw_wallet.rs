//! The baseline for `npm run bench`: the raw `minotari_wallet` library driven directly, with the same
//! settings the SDK uses (pool size, scan interval, broadcast timeout), following the console wallet's
//! setup sequence. Deliberately independent of the SDK's code. Prints one JSON line.
//!
//! usage: raw_wallet <base-node-url> <work-dir> <iterations> <balance-calls>
//!        raw_wallet send <base-node-url> <work-dir> <recipient-base58> <sends>
//!          prints `ADDRESS <base58>`, waits for a line on stdin (the caller mines coinbases to it), waits
//!          until funds are available, then times <sends> one-sided sends.
//!        raw_wallet watch <base-node-url> <work-dir>
//!          a wallet scanning every second; prints `ADDRESS <base58>`, then `SEEN <unix ms>` when its
//!          incoming+available balance grows and `AVAILABLE <unix ms>` when its available balance grows,
//!          until stdin closes.
//!        raw_wallet events <count>
//!          the library's event mechanism alone (a tokio broadcast channel of transaction events to one
//!          subscriber): prints events per second.
//!        raw_wallet idle <base-node-url> <work-dir> <wallets> <scan-secs> <seconds>
//!          opens <wallets> wallets with the library's default settings but <scan-secs>, lets them idle, and
//!          reports process CPU per wallet, RSS per wallet and the p99 of balance reads over <seconds>.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use minotari_wallet::output_manager_service::storage::database::OutputManagerDatabase;
use minotari_wallet::storage::database::WalletDatabase;
use minotari_wallet::storage::sqlite_utilities::initialize_sqlite_database_backends;
use minotari_wallet::wallet::{derive_comms_secret_key, read_or_create_master_seed};
use minotari_wallet::{WalletConfig, WalletSqlite};
use tari_common::configuration::Network;
use tari_comms::{peer_manager::PeerFeatures, NodeIdentity};
use tari_p2p::auto_update::AutoUpdateConfig;
use tari_shutdown::Shutdown;
use tari_transaction_components::consensus::ConsensusManager;
use tari_transaction_components::crypto_factories::CryptoFactories;
use tari_utilities::SafePassword;

const POOL_SIZE: usize = 4;

fn config(dir: &Path, url: &str) -> WalletConfig {
    let mut c = defaults(dir, url);
    c.scanning_interval = 60;
    c.db_connection_pool_size = POOL_SIZE;
    c.transaction_service_config.broadcast_monitoring_timeout = Duration::from_secs(2);
    c
}

/// The library's defaults, on LocalNet and this base node.
fn defaults(dir: &Path, url: &str) -> WalletConfig {
    let mut c = WalletConfig {
        network: Network::LocalNet,
        http_server_url: url.into(),
        fallback_http_server_url: url.into(),
        ..WalletConfig::default()
    };
    c.set_base_path(dir);
    c
}

async fn start(dir: &Path, url: &str) -> (WalletSqlite, Shutdown) {
    start_with(config(dir, url)).await
}

async fn start_with(c: WalletConfig) -> (WalletSqlite, Shutdown) {
    let pool_size = c.db_connection_pool_size;
    let prep = c.clone();
    let (wallet_db, output_db, tx, om, km, seed, identity) = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(prep.db_file.parent().unwrap()).unwrap();
        let (w, tx, om, km) =
            initialize_sqlite_database_backends(&prep.db_file, SafePassword::from("bench passphrase"), pool_size).unwrap();
        let wallet_db = WalletDatabase::new(w);
        let output_db = OutputManagerDatabase::new(om.clone());
        let seed = read_or_create_master_seed(None, &wallet_db).unwrap();
        let identity = Arc::new(NodeIdentity::new(derive_comms_secret_key(&seed).unwrap(), vec![], PeerFeatures::COMMUNICATION_CLIENT));
        (wallet_db, output_db, tx, om, km, seed, identity)
    })
    .await
    .unwrap();
    let shutdown = Shutdown::new();
    let wallet = WalletSqlite::start(
        c,
        AutoUpdateConfig::default(),
        identity,
        ConsensusManager::builder(Network::LocalNet).build(),
        CryptoFactories::default(),
        wallet_db,
        output_db,
        tx,
        om,
        km,
        shutdown.to_signal(),
        seed,
        None,
    )
    .await
    .unwrap();
    (wallet, shutdown)
}

async fn stop(w: WalletSqlite, s: Shutdown, dir: &Path) {
    s.trigger();
    w.wait_until_shutdown().await;
    // The library frees its file lock when the last service task drops its connection; wait for that.
    let lock = config(dir, "http://unused").db_file.with_file_name(".console_wallet.db.lock");
    loop {
        use fs2::FileExt;
        match std::fs::File::open(&lock) {
            Ok(f) if f.try_lock_exclusive().is_err() => tokio::time::sleep(Duration::from_millis(10)).await,
            Ok(f) => break drop(f.unlock()),
            Err(_) => break,
        }
    }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((p / 100.0) * v.len() as f64).floor().min(v.len() as f64 - 1.0) as usize]
}

fn rss() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0.0);
    pages * 4096.0
}

async fn send_mode(url: &str, work: &Path, recipient: &str, sends: usize) {
    use minotari_wallet::output_manager_service::UtxoSelectionCriteria;
    use tari_common_types::tari_address::TariAddress;
    use tari_transaction_components::transaction_components::{MemoField, OutputFeatures};
    use tari_transaction_components::MicroMinotari;
    let (w, s) = start(&work.join("sender"), url).await;
    println!("ADDRESS {}", w.get_wallet_one_sided_address().unwrap().to_base58());
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    let mut oms = w.output_manager_service.clone();
    while oms.get_balance().await.unwrap().available_balance.as_u64() < 1_000_000 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let to = TariAddress::from_base58(recipient).unwrap();
    let mut ts = w.transaction_service.clone();
    let mut times = Vec::new();
    for i in 0..sends {
        let t = Instant::now();
        ts.send_one_sided_transaction(
            to.clone(),
            MicroMinotari::from(10_000 + i as u64),
            UtxoSelectionCriteria::default(),
            OutputFeatures::default(),
            MicroMinotari::from(5),
            MemoField::new_empty(),
        )
        .await
        .unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!("{{\"sendP50Ms\":{}}}", percentile(&mut times, 50.0));
    stop(w, s, &work.join("sender")).await;
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

async fn idle_mode(url: &str, work: &Path, wallets: usize, scan: u64, seconds: u64) {
    let baseline_rss = rss();
    let mut open = Vec::new();
    for i in 0..wallets {
        let dir = work.join(format!("idle{i}"));
        let mut c = defaults(&dir, url);
        c.scanning_interval = scan;
        open.push((start_with(c).await, dir));
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let mut reads = Vec::new();
    let mut i = 0;
    while t0.elapsed() < Duration::from_secs(seconds) {
        let mut oms = open[i % wallets].0 .0.output_manager_service.clone();
        let t = Instant::now();
        oms.get_balance().await.unwrap();
        reads.push(t.elapsed().as_secs_f64() * 1e3);
        i += 1;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let cpu_share = (cpu_seconds() - cpu0) / t0.elapsed().as_secs_f64();
    let rss_per_wallet = (rss() - baseline_rss) / wallets as f64;
    for ((w, s), dir) in open {
        stop(w, s, &dir).await;
    }
    println!(
        "{{\"cpuPerWalletPct\":{},\"rssPerWalletBytes\":{},\"balanceP99Ms\":{}}}",
        cpu_share * 100.0 / wallets as f64,
        rss_per_wallet,
        percentile(&mut reads, 99.0)
    );
}

fn unix_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
}

async fn watch_mode(url: &str, work: &Path) {
    let dir = work.join("watcher");
    let mut c = config(&dir, url);
    c.scanning_interval = 1;
    let (w, s) = start_with(c).await;
    println!("ADDRESS {}", w.get_wallet_one_sided_address().unwrap().to_base58());
    let (stdin_closed_tx, mut stdin_closed) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {}
        let _ = stdin_closed_tx.send(());
    });
    let mut oms = w.output_manager_service.clone();
    let b = oms.get_balance().await.unwrap();
    let (mut seen, mut available) = (b.pending_incoming_balance + b.available_balance, b.available_balance);
    loop {
        tokio::select! {
            _ = &mut stdin_closed => break,
            _ = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
        let b = oms.get_balance().await.unwrap();
        if b.pending_incoming_balance + b.available_balance > seen {
            seen = b.pending_incoming_balance + b.available_balance;
            println!("SEEN {}", unix_ms());
        }
        if b.available_balance > available {
            available = b.available_balance;
            println!("AVAILABLE {}", unix_ms());
        }
    }
    stop(w, s, &dir).await;
}

async fn events_mode(count: u64) {
    use minotari_wallet::transaction_service::handle::TransactionEvent;
    use tari_common_types::transaction::TxId;
    let (tx, mut rx) = tokio::sync::broadcast::channel::<Arc<TransactionEvent>>(1024);
    let receiver = tokio::spawn(async move {
        let mut got = 0u64;
        while got < count {
            if rx.recv().await.is_ok() {
                got += 1;
            }
        }
    });
    let t = Instant::now();
    for i in 0..count {
        while tx.len() > 512 {
            tokio::task::yield_now().await;
        }
        let _ = tx.send(Arc::new(TransactionEvent::TransactionBroadcast(TxId::from(i))));
    }
    receiver.await.unwrap();
    println!("{{\"eventsPerSecond\":{}}}", count as f64 / t.elapsed().as_secs_f64());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("watch") => {
            tari_common::network_check::set_network_if_choice_valid(Network::LocalNet).unwrap();
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(watch_mode(&args[2], &PathBuf::from(&args[3])));
            return;
        }
        Some("events") => {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(events_mode(args[2].parse().unwrap()));
            return;
        }
        _ => {}
    }
    if args.get(1).map(String::as_str) == Some("idle") {
        tari_common::network_check::set_network_if_choice_valid(Network::LocalNet).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let n = |i: usize| args[i].parse::<u64>().unwrap();
        rt.block_on(idle_mode(&args[2], &PathBuf::from(&args[3]), n(4) as usize, n(5), n(6)));
        return;
    }
    if args.get(1).map(String::as_str) == Some("send") {
        tari_common::network_check::set_network_if_choice_valid(Network::LocalNet).unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let sends = args[5].parse().unwrap();
        rt.block_on(send_mode(&args[2], &PathBuf::from(&args[3]), &args[4], sends));
        return;
    }
    let url = args[1].clone();
    let work = PathBuf::from(&args[2]);
    let iterations: usize = args[3].parse().unwrap();
    let balance_calls: usize = args[4].parse().unwrap();
    tari_common::network_check::set_network_if_choice_valid(Network::LocalNet).unwrap();
    // Same shape as the SDK's wallet runtime: services on 2 workers.
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let baseline_rss = rss();
        let mut create = Vec::new();
        let mut reopen = Vec::new();
        for i in 0..iterations {
            let dir = work.join(format!("w{i}"));
            let t = Instant::now();
            let (w, s) = start(&dir, &url).await;
            create.push(t.elapsed().as_secs_f64() * 1e3);
            stop(w, s, &dir).await;
            let t = Instant::now();
            let (w, s) = start(&dir, &url).await;
            reopen.push(t.elapsed().as_secs_f64() * 1e3);
            stop(w, s, &dir).await;
        }
        let (w, s) = start(&work.join("w0"), &url).await;
        let mut oms = w.output_manager_service.clone();
        let mut balance = Vec::new();
        for _ in 0..balance_calls {
            let t = Instant::now();
            oms.get_balance().await.unwrap();
            balance.push(t.elapsed().as_secs_f64() * 1e3);
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_one = rss() - baseline_rss;
        let mut open = vec![(w, s, work.join("w0"))];
        for i in 1..10 {
            let dir = work.join(format!("w{i}"));
            let (w, s) = start(&dir, &url).await;
            open.push((w, s, dir));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let rss_ten = rss() - baseline_rss;
        for (w, s, dir) in open {
            stop(w, s, &dir).await;
        }
        println!(
            "{{\"createP50Ms\":{},\"reopenP50Ms\":{},\"balanceP50Ms\":{},\"balanceP99Ms\":{},\"rssOneWalletBytes\":{},\"rssTenWalletsBytes\":{}}}",
            percentile(&mut create, 50.0),
            percentile(&mut reopen, 50.0),
            percentile(&mut balance.clone(), 50.0),
            percentile(&mut balance, 99.0),
            rss_one,
            rss_ten
        );
    });
}
