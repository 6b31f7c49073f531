//! The SDK's spend journal: one small SQLite file beside the wallet (`<dataDir>/sdk/journal.sqlite3`) that
//! remembers idempotency keys and which library transactions the SDK made.
//!
//! Why a table of our own and not a tag in the transaction's memo: the memo is shown to the recipient, the
//! library replaces it wholesale when the address carries a payment id, and it shares 254 bytes with the
//! caller's message. The cost is that the journal and the library's database are two files, so a crash can
//! fall between them. The journal is therefore written ahead: a `pending` row is durable before the library
//! sees the spend, and a retry that finds one looks in the library's own history for the transaction
//! (`wallet::spend::reconcile`). Every transaction the SDK made is claimed here, so that search never takes
//! someone else's.
//!
//! Nothing in it is readable without the wallet's seed: keys and parameters are stored as BLAKE2b MACs
//! keyed from the wallet's secret, so the file shows neither what a key was nor whom a spend paid, and equal
//! keys of two wallets do not look alike. Files are 0600, the directory 0700. SQLite runs in WAL mode with
//! `synchronous = FULL`, so a committed row survives a crash of the process and of the machine.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use blake2::digest::consts::U32;
use blake2::digest::Mac;
use blake2::Blake2bMac;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::sqlite::SqliteConnection;

use crate::error::{ErrorCode, SdkError, SdkResult};

/// Finished keys are remembered this long; a retry with an older key spends again.
pub const RETENTION_DAYS: i64 = 30;
pub const FILE: &str = "journal.sqlite3";

pub type Digest = [u8; 32];

/// What a finished spend resolved to, as the caller saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpendResult {
    pub tx_ids: Vec<u64>,
    /// Coin operations: the outputs made, µT.
    pub outputs: Vec<u64>,
    /// Coin operations: the fee, µT.
    pub fee: u64,
}

impl SpendResult {
    fn encode(&self) -> String {
        let list = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        format!("{}|{}|{}", list(&self.tx_ids), list(&self.outputs), self.fee)
    }

    fn decode(text: &str) -> Option<Self> {
        let list = |s: &str| -> Option<Vec<u64>> {
            if s.is_empty() {
                return Some(Vec::new());
            }
            s.split(',').map(|x| x.parse().ok()).collect()
        };
        let mut parts = text.split('|');
        let r = SpendResult { tx_ids: list(parts.next()?)?, outputs: list(parts.next()?)?, fee: parts.next()?.parse().ok()? };
        parts.next().is_none().then_some(r)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Handed (or about to be handed) to the library; the outcome was not recorded.
    Pending,
    Done(SpendResult),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub params: Digest,
    pub kind: String,
    pub state: State,
    /// Milliseconds since the epoch when the spend was last handed to the library.
    pub started_at_ms: i64,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Binary)]
    params: Vec<u8>,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    result: Option<String>,
    #[diesel(sql_type = BigInt)]
    started_at: i64,
}

pub struct Journal {
    conn: Mutex<SqliteConnection>,
    mac: Blake2bMac<U32>,
}

pub(super) fn db_error(e: impl std::fmt::Display) -> SdkError {
    SdkError::new(ErrorCode::Wallet, format!("the SDK's own database failed: {e}"))
}

/// `<dataDir>/sdk`: everything the SDK itself keeps for a wallet.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("sdk")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Opens (creating if needed) `<dataDir>/sdk/<file>`, private (0600, in a 0700 directory), in WAL mode
/// with `synchronous = FULL` (a committed row survives a crash), and runs `schema` on it. Also says whether
/// the file was created just now.
pub(super) fn open_db(data_dir: &Path, file: &str, schema: &str) -> SdkResult<(SqliteConnection, bool)> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = dir(data_dir);
    super::files::private_dirs(data_dir, &dir)?;
    let path = dir.join(file);
    let created = !path.exists();
    // SQLite gives the -wal and -shm files the mode of the database file, so 0600 here covers them.
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(&path).map_err(db_error)?;
    let url = path.to_str().ok_or_else(|| SdkError::invalid_argument("dataDir is not valid UTF-8"))?;
    let mut conn = SqliteConnection::establish(url).map_err(db_error)?;
    conn.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;").map_err(db_error)?;
    conn.batch_execute(schema).map_err(db_error)?;
    Ok((conn, created))
}

impl Journal {
    /// Opens (creating if needed) the journal of the wallet in `data_dir`. `secret` keys the MACs; it must
    /// be the same every time the wallet opens (derived from its seed). Drops rows past the retention.
    pub fn open(data_dir: &Path, secret: &[u8]) -> SdkResult<Self> {
        let (mut conn, _) = open_db(
            data_dir,
            FILE,
            "CREATE TABLE IF NOT EXISTS spends (
                 key_mac BLOB PRIMARY KEY,
                 params BLOB NOT NULL,
                 kind TEXT NOT NULL,
                 result TEXT,
                 started_at INTEGER NOT NULL
             );
             CREATE TABLE IF NOT EXISTS claims (tx_id INTEGER PRIMARY KEY, key_mac BLOB);
             CREATE TABLE IF NOT EXISTS prepared (
                 tx_id INTEGER PRIMARY KEY,
                 payload BLOB NOT NULL,
                 state TEXT NOT NULL,
                 signed_tx_id INTEGER,
                 created_at INTEGER NOT NULL
             );",
        )?;
        let cutoff = now_ms() - RETENTION_DAYS * 86_400_000;
        diesel::sql_query("DELETE FROM spends WHERE result IS NOT NULL AND started_at < ?")
            .bind::<BigInt, _>(cutoff)
            .execute(&mut conn)
            .map_err(db_error)?;
        let mac = Blake2bMac::<U32>::new_with_salt_and_personal(secret, b"", b"tari-sdk-journal").map_err(db_error)?;
        Ok(Self { conn: Mutex::new(conn), mac })
    }

    /// A MAC of `data` under the wallet's journal key, with a domain so a key and a parameter list never
    /// collide.
    pub fn digest(&self, domain: &str, data: &[u8]) -> Digest {
        let mut m = self.mac.clone();
        m.update(&(domain.len() as u64).to_le_bytes());
        m.update(domain.as_bytes());
        m.update(data);
        m.finalize().into_bytes().into()
    }

    fn with<T>(&self, f: impl FnOnce(&mut SqliteConnection) -> QueryResult<T>) -> SdkResult<T> {
        let mut conn = self.conn.lock().map_err(|_| SdkError::internal("journal lock poisoned"))?;
        f(&mut conn).map_err(db_error)
    }

    pub fn lookup(&self, key: &Digest) -> SdkResult<Option<Record>> {
        let rows: Vec<Row> = self.with(|c| {
            diesel::sql_query("SELECT params, kind, result, started_at FROM spends WHERE key_mac = ?")
                .bind::<Binary, _>(key.as_slice())
                .load(c)
        })?;
        let Some(row) = rows.into_iter().next() else { return Ok(None) };
        let params: Digest = row.params.try_into().map_err(|_| db_error("a row has a malformed parameter digest"))?;
        let state = match row.result {
            None => State::Pending,
            Some(text) => State::Done(SpendResult::decode(&text).ok_or_else(|| db_error("a row has a malformed result"))?),
        };
        Ok(Some(Record { params, kind: row.kind, state, started_at_ms: row.started_at }))
    }

    /// Records that a spend is about to be handed to the library. Durable when this returns.
    pub fn begin(&self, key: &Digest, params: &Digest, kind: &str) -> SdkResult<i64> {
        let now = now_ms();
        self.with(|c| {
            diesel::sql_query("INSERT OR REPLACE INTO spends (key_mac, params, kind, result, started_at) VALUES (?, ?, ?, NULL, ?)")
                .bind::<Binary, _>(key.as_slice())
                .bind::<Binary, _>(params.as_slice())
                .bind::<Text, _>(kind)
                .bind::<BigInt, _>(now)
                .execute(c)
        })?;
        Ok(now)
    }

    /// Records the outcome, and claims its transactions, in one SQLite transaction. `key: None` for a spend
    /// made without an idempotency key: only the claims are written.
    pub fn finish(&self, key: Option<&Digest>, result: &SpendResult) -> SdkResult<()> {
        self.with(|c| {
            c.immediate_transaction(|c| {
                if let Some(key) = key {
                    diesel::sql_query("UPDATE spends SET result = ? WHERE key_mac = ?")
                        .bind::<Text, _>(result.encode())
                        .bind::<Binary, _>(key.as_slice())
                        .execute(c)?;
                }
                for id in &result.tx_ids {
                    diesel::sql_query("INSERT OR REPLACE INTO claims (tx_id, key_mac) VALUES (?, ?)")
                        .bind::<BigInt, _>(*id as i64)
                        .bind::<Nullable<Binary>, _>(key.map(|k| k.as_slice()))
                        .execute(c)?;
                }
                Ok(())
            })
        })
    }

    /// Forgets a key whose spend stored nothing: a retry spends afresh.
    pub fn forget(&self, key: &Digest) -> SdkResult<()> {
        self.with(|c| diesel::sql_query("DELETE FROM spends WHERE key_mac = ?").bind::<Binary, _>(key.as_slice()).execute(c))?;
        Ok(())
    }

    /// True when a spend recorded here made transaction `tx_id`.
    pub fn is_claimed(&self, tx_id: u64) -> SdkResult<bool> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let rows: Vec<Count> =
            self.with(|c| diesel::sql_query("SELECT COUNT(*) AS n FROM claims WHERE tx_id = ?").bind::<BigInt, _>(tx_id as i64).load(c))?;
        Ok(rows.first().is_some_and(|r| r.n > 0))
    }
}

/// Where a payment prepared for offline signing (`wallet::offline`) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreparedState {
    /// Its inputs are locked under the prepared id; nothing is signed or broadcast yet.
    Prepared,
    /// A signed version (`signed_tx_id`) is being handed to the library: written ahead of it.
    Broadcasting,
    /// The library stored and queued `signed_tx_id`.
    Broadcast,
    /// Released (`cancelPrepared`).
    Cancelled,
}

impl PreparedState {
    fn as_str(self) -> &'static str {
        match self {
            Self::Prepared => "prepared",
            Self::Broadcasting => "broadcasting",
            Self::Broadcast => "broadcast",
            Self::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Prepared, Self::Broadcasting, Self::Broadcast, Self::Cancelled].into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRecord {
    /// MAC of the unsigned payload the wallet made: a signed payload must carry exactly it.
    pub payload: Digest,
    pub state: PreparedState,
    pub signed_tx_id: Option<u64>,
}

#[derive(QueryableByName)]
struct PreparedRow {
    #[diesel(sql_type = Binary)]
    payload: Vec<u8>,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    signed_tx_id: Option<i64>,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    tx_id: i64,
}

impl Journal {
    /// Remembers a prepared payment (its inputs are locked under `tx_id`). Durable when this returns.
    pub fn record_prepared(&self, tx_id: u64, payload: &Digest) -> SdkResult<()> {
        self.with(|c| {
            diesel::sql_query("INSERT INTO prepared (tx_id, payload, state, signed_tx_id, created_at) VALUES (?, ?, 'prepared', NULL, ?)")
                .bind::<BigInt, _>(tx_id as i64)
                .bind::<Binary, _>(payload.as_slice())
                .bind::<BigInt, _>(now_ms())
                .execute(c)
        })?;
        Ok(())
    }

    pub fn prepared(&self, tx_id: u64) -> SdkResult<Option<PreparedRecord>> {
        let rows: Vec<PreparedRow> = self.with(|c| {
            diesel::sql_query("SELECT payload, state, signed_tx_id FROM prepared WHERE tx_id = ?").bind::<BigInt, _>(tx_id as i64).load(c)
        })?;
        let Some(row) = rows.into_iter().next() else { return Ok(None) };
        Ok(Some(PreparedRecord {
            payload: row.payload.try_into().map_err(|_| db_error("a prepared row has a malformed digest"))?,
            state: PreparedState::parse(&row.state).ok_or_else(|| db_error("a prepared row has an unknown state"))?,
            signed_tx_id: row.signed_tx_id.map(|i| i as u64),
        }))
    }

    pub fn set_prepared(&self, tx_id: u64, state: PreparedState, signed_tx_id: Option<u64>) -> SdkResult<()> {
        self.with(|c| {
            diesel::sql_query("UPDATE prepared SET state = ?, signed_tx_id = ? WHERE tx_id = ?")
                .bind::<Text, _>(state.as_str())
                .bind::<Nullable<BigInt>, _>(signed_tx_id.map(|i| i as i64))
                .bind::<BigInt, _>(tx_id as i64)
                .execute(c)
        })?;
        Ok(())
    }

    /// Prepared ids whose inputs must stay locked: not yet broadcast, nor cancelled.
    pub fn locked_by_prepared(&self) -> SdkResult<Vec<u64>> {
        let rows: Vec<Id> =
            self.with(|c| diesel::sql_query("SELECT tx_id FROM prepared WHERE state IN ('prepared', 'broadcasting')").load(c))?;
        Ok(rows.into_iter().map(|r| r.tx_id as u64).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn keys_survive_reopen_and_files_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let j = Journal::open(tmp.path(), &[7; 32]).unwrap();
        let key = j.digest("key", b"payout-1");
        let params = j.digest("params", b"to=x;amount=5");
        assert_eq!(j.lookup(&key).unwrap(), None);
        let started = j.begin(&key, &params, "send").unwrap();
        assert_eq!(j.lookup(&key).unwrap().unwrap().state, State::Pending);
        let result = SpendResult { tx_ids: vec![42, u64::MAX], outputs: vec![], fee: 0 };
        j.finish(Some(&key), &result).unwrap();
        assert!(j.is_claimed(42).unwrap() && j.is_claimed(u64::MAX).unwrap() && !j.is_claimed(43).unwrap());
        drop(j);

        let j = Journal::open(tmp.path(), &[7; 32]).unwrap();
        let r = j.lookup(&j.digest("key", b"payout-1")).unwrap().unwrap();
        assert_eq!(r, Record { params, kind: "send".into(), state: State::Done(result), started_at_ms: started });
        assert_eq!(mode(&dir(tmp.path())), 0o700);
        for f in std::fs::read_dir(dir(tmp.path())).unwrap() {
            assert_eq!(mode(&f.unwrap().path()), 0o600);
        }
    }

    #[test]
    fn digests_depend_on_the_wallet_secret_and_the_domain() {
        let tmp = tempfile::tempdir().unwrap();
        let a = Journal::open(&tmp.path().join("a"), &[1; 32]).unwrap();
        let b = Journal::open(&tmp.path().join("b"), &[2; 32]).unwrap();
        assert_ne!(a.digest("key", b"k"), b.digest("key", b"k"));
        assert_ne!(a.digest("key", b"k"), a.digest("params", b"k"));
        assert_eq!(a.digest("key", b"k"), a.digest("key", b"k"));
    }

    #[test]
    fn forgotten_keys_and_unkeyed_claims() {
        let tmp = tempfile::tempdir().unwrap();
        let j = Journal::open(tmp.path(), &[3; 32]).unwrap();
        let key = j.digest("key", b"k");
        j.begin(&key, &key, "coinJoin").unwrap();
        j.forget(&key).unwrap();
        assert_eq!(j.lookup(&key).unwrap(), None);
        j.finish(None, &SpendResult { tx_ids: vec![9], outputs: vec![1, 2], fee: 3 }).unwrap();
        assert!(j.is_claimed(9).unwrap());
    }

    #[test]
    fn prepared_payments_survive_reopen_and_only_open_ones_hold_their_inputs() {
        let tmp = tempfile::tempdir().unwrap();
        let j = Journal::open(tmp.path(), &[4; 32]).unwrap();
        let (a, b, c) = (u64::MAX - 1, 7, 8);
        for id in [a, b, c] {
            j.record_prepared(id, &j.digest("prepared", &id.to_le_bytes())).unwrap();
        }
        assert!(j.record_prepared(a, &[0; 32]).is_err(), "one record per prepared id");
        j.set_prepared(b, PreparedState::Broadcast, Some(99)).unwrap();
        j.set_prepared(c, PreparedState::Cancelled, None).unwrap();
        drop(j);
        let j = Journal::open(tmp.path(), &[4; 32]).unwrap();
        assert_eq!(
            j.prepared(a).unwrap(),
            Some(PreparedRecord { payload: j.digest("prepared", &a.to_le_bytes()), state: PreparedState::Prepared, signed_tx_id: None })
        );
        assert_eq!(j.prepared(b).unwrap().map(|r| (r.state, r.signed_tx_id)), Some((PreparedState::Broadcast, Some(99))));
        assert_eq!(j.prepared(1).unwrap(), None);
        assert_eq!(j.locked_by_prepared().unwrap(), vec![a]);
    }

    #[test]
    fn results_round_trip() {
        for r in [
            SpendResult::default(),
            SpendResult { tx_ids: vec![1], outputs: vec![], fee: 0 },
            SpendResult { tx_ids: vec![1, 2], outputs: vec![3, 4, 5], fee: 6 },
        ] {
            assert_eq!(SpendResult::decode(&r.encode()), Some(r));
        }
        assert_eq!(SpendResult::decode("1|2"), None);
        assert_eq!(SpendResult::decode("x||0"), None);
    }
}
