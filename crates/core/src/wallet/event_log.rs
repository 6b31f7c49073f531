//! Durable wallet events: the money events (`received`, `sent`, `broadcast`, `minedUnconfirmed`,
//! `confirmed`, `cancelled`, `reorged`) numbered per wallet and kept in `<dataDir>/sdk/events.sqlite3` until the
//! application acknowledges them.
//!
//! Exactly once across restarts: the log also remembers which state of which transaction it announced, and
//! a state is recorded (and given its sequence number) in the same SQLite transaction that checks it was not
//! announced before. So the live stream, the reconciliation on open (`pump`) and a second process run all
//! agree, and a process killed before it acked finds the same events, with the same numbers, again.
//!
//! Reorgs: the log also remembers the block each `minedUnconfirmed` or `confirmed` named (`mined`). The
//! pump compares those blocks with the wallet's history (`pump::check_reorgs`) and records a `reorged`
//! event when one left the chain; that forgets the block and the mining announcements in one SQLite
//! transaction, so the reorg is announced once and the transaction's mining is news again.
//!
//! Live-only events (`balanceChanged`, `connectivity`, `scanProgress`, `validation`, `lagged`) are not kept:
//! they describe the present, and the next one replaces them.
//!
//! Retention: an event stays until `ackEvents` covers it, however long that takes (about 100 bytes each);
//! the per-transaction states stay for the life of the wallet (a few dozen bytes per transaction). The file
//! holds amounts and payment ids in clear, as the library's own database does (it filters on them in SQL);
//! it is 0600 in a 0700 directory, like everything else the SDK writes.

use std::path::Path;
use std::sync::Mutex;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::sqlite::SqliteConnection;

use diesel::connection::SimpleConnection;

use super::address::PaymentId;
use super::events::{EventKind, MinedIn, WalletEvent};
use super::journal::{db_error, open_db};
use crate::error::{SdkError, SdkResult};

pub const FILE: &str = "events.sqlite3";

/// Most events one `getEvents` call returns.
pub const MAX_PAGE: usize = 10_000;

/// An event as the log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub seq: u64,
    pub at_ms: f64,
    pub kind: EventKind,
}

pub struct EventLog {
    conn: Mutex<SqliteConnection>,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = BigInt)]
    at_ms: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    tx_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    confirmations: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    amount: Option<i64>,
    #[diesel(sql_type = Nullable<Binary>)]
    payment_id: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<Text>)]
    reason: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    height: Option<i64>,
    #[diesel(sql_type = Nullable<Binary>)]
    block_hash: Option<Vec<u8>>,
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = BigInt)]
    v: i64,
}

/// A block a transaction was announced in: what a reorg check compares with the wallet's history.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct MinedRow {
    #[diesel(sql_type = BigInt)]
    pub tx_id: i64,
    #[diesel(sql_type = BigInt)]
    pub height: i64,
    #[diesel(sql_type = Binary)]
    pub block_hash: Vec<u8>,
}

/// A durable event as the `events` table holds it. `text` is a `cancelled` reason or a `reorged` status;
/// `height` and `block_hash` are where a transaction was mined, or, for `reorged`, the block it left.
#[derive(Default)]
struct Columns {
    name: &'static str,
    tx_id: u64,
    confirmations: Option<u64>,
    amount: Option<u64>,
    payment_id: Option<Vec<u8>>,
    text: Option<String>,
    height: Option<u64>,
    block_hash: Option<Vec<u8>>,
}

fn from_hex(h: Option<&str>) -> Option<Vec<u8>> {
    h.and_then(|h| tari_utilities::hex::from_hex(h).ok())
}

/// `None` for a live-only event.
fn columns(kind: &EventKind) -> Option<Columns> {
    let tx_id = kind.tx_id()?;
    let name = kind.name();
    let mined = |m: &MinedIn| Columns {
        name,
        tx_id,
        height: m.mined_height,
        block_hash: from_hex(m.mined_block_hash.as_deref()),
        ..Columns::default()
    };
    Some(match kind {
        EventKind::Received { amount, payment_id, .. } => {
            Columns { name, tx_id, amount: *amount, payment_id: from_hex(payment_id.hex.as_deref()), ..Columns::default() }
        }
        EventKind::MinedUnconfirmed { confirmations, mined: m, .. } => Columns { confirmations: Some(*confirmations), ..mined(m) },
        EventKind::Confirmed { mined: m, .. } => mined(m),
        EventKind::Cancelled { reason, .. } => Columns { name, tx_id, text: Some(reason.clone()), ..Columns::default() },
        EventKind::Reorged { old_height, old_block_hash, status, .. } => Columns {
            name,
            tx_id,
            text: serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)),
            height: Some(*old_height),
            block_hash: from_hex(Some(old_block_hash)),
            ..Columns::default()
        },
        _ => Columns { name, tx_id, ..Columns::default() },
    })
}

fn kind_of(r: Row) -> SdkResult<EventKind> {
    let tx_id = r.tx_id as u64;
    let mined =
        MinedIn { mined_height: r.height.map(|h| h as u64), mined_block_hash: r.block_hash.as_deref().map(tari_utilities::hex::to_hex) };
    Ok(match r.name.as_str() {
        "received" => EventKind::Received {
            tx_id,
            amount: r.amount.map(|a| a as u64),
            payment_id: PaymentId::of(r.payment_id.as_deref().unwrap_or_default()),
        },
        "sent" => EventKind::Sent { tx_id },
        "broadcast" => EventKind::Broadcast { tx_id },
        "minedUnconfirmed" => EventKind::MinedUnconfirmed { tx_id, confirmations: r.confirmations.unwrap_or(0) as u64, mined },
        "confirmed" => EventKind::Confirmed { tx_id, mined },
        "cancelled" => EventKind::Cancelled { tx_id, reason: r.reason.unwrap_or_default() },
        "reorged" => EventKind::Reorged {
            tx_id,
            old_height: mined.mined_height.unwrap_or(0),
            old_block_hash: mined.mined_block_hash.unwrap_or_default(),
            status: serde_json::from_value(serde_json::Value::String(r.reason.unwrap_or_default()))
                .map_err(|e| db_error(format!("the event log holds an unknown status: {e}")))?,
        },
        other => return Err(db_error(format!("the event log holds an unknown event {other:?}"))),
    })
}

fn insert_event(c: &mut SqliteConnection, col: Columns, at_ms: f64) -> QueryResult<Option<u64>> {
    let seq: Vec<Value> = diesel::sql_query(
        "INSERT INTO events (at_ms, name, tx_id, confirmations, amount, payment_id, reason, height, block_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq AS v",
    )
    .bind::<BigInt, _>(at_ms as i64)
    .bind::<Text, _>(col.name)
    .bind::<BigInt, _>(col.tx_id as i64)
    .bind::<Nullable<BigInt>, _>(col.confirmations.map(|c| c as i64))
    .bind::<Nullable<BigInt>, _>(col.amount.map(|a| a as i64))
    .bind::<Nullable<Binary>, _>(col.payment_id)
    .bind::<Nullable<Text>, _>(col.text)
    .bind::<Nullable<BigInt>, _>(col.height.map(|h| h as i64))
    .bind::<Nullable<Binary>, _>(col.block_hash)
    .load(c)?;
    Ok(seq.first().map(|s| s.v as u64))
}

/// A reorg is news once: the block it names is forgotten in the same SQLite transaction, with the
/// announcements of the transaction's mining, which are news again when it is mined anew.
fn record_reorg(c: &mut SqliteConnection, col: Columns, at_ms: f64, silent: bool) -> QueryResult<Option<u64>> {
    let forgotten = diesel::sql_query("DELETE FROM mined WHERE tx_id = ? AND block_hash = ?")
        .bind::<BigInt, _>(col.tx_id as i64)
        .bind::<Binary, _>(col.block_hash.clone().unwrap_or_default())
        .execute(c)?;
    if forgotten == 0 {
        return Ok(None);
    }
    diesel::sql_query("DELETE FROM announced WHERE tx_id = ? AND name IN ('minedUnconfirmed', 'confirmed')")
        .bind::<BigInt, _>(col.tx_id as i64)
        .execute(c)?;
    if silent {
        return Ok(None);
    }
    insert_event(c, col, at_ms)
}

/// Whether this state of the transaction was announced (a `minedUnconfirmed` with as many confirmations).
fn told(c: &mut SqliteConnection, col: &Columns) -> QueryResult<bool> {
    let before: Vec<Value> = diesel::sql_query("SELECT value AS v FROM announced WHERE tx_id = ? AND name = ?")
        .bind::<BigInt, _>(col.tx_id as i64)
        .bind::<Text, _>(col.name)
        .load(c)?;
    Ok(before.first().is_some_and(|b| b.v >= col.confirmations.unwrap_or(0) as i64))
}

fn record_in(c: &mut SqliteConnection, kind: &EventKind, at_ms: f64, silent: bool) -> QueryResult<Option<u64>> {
    let Some(col) = columns(kind) else { return Ok(None) };
    if let EventKind::Reorged { .. } = kind {
        return record_reorg(c, col, at_ms, silent);
    }
    let value = col.confirmations.unwrap_or(0) as i64;
    if told(c, &col)? {
        return Ok(None);
    }
    diesel::sql_query("INSERT OR REPLACE INTO announced (tx_id, name, value) VALUES (?, ?, ?)")
        .bind::<BigInt, _>(col.tx_id as i64)
        .bind::<Text, _>(col.name)
        .bind::<BigInt, _>(value)
        .execute(c)?;
    if let (Some(height), Some(hash)) = (col.height, &col.block_hash) {
        // OR IGNORE: a different block already remembered is the reorg check's to report, not to overwrite.
        diesel::sql_query("INSERT OR IGNORE INTO mined (tx_id, height, block_hash) VALUES (?, ?, ?)")
            .bind::<BigInt, _>(col.tx_id as i64)
            .bind::<BigInt, _>(height as i64)
            .bind::<Binary, _>(hash.clone())
            .execute(c)?;
    }
    if silent {
        return Ok(None);
    }
    insert_event(c, col, at_ms)
}

/// True when the event is kept in the log (and so gets a sequence number).
pub fn is_durable(kind: &EventKind) -> bool {
    columns(kind).is_some()
}

impl EventLog {
    /// Opens (creating if needed) the log of the wallet in `data_dir`. Also says whether it was created now.
    pub fn open(data_dir: &Path) -> SdkResult<(Self, bool)> {
        let (conn, created) = open_db(
            data_dir,
            FILE,
            "CREATE TABLE IF NOT EXISTS events (
                 seq INTEGER PRIMARY KEY AUTOINCREMENT,
                 at_ms INTEGER NOT NULL,
                 name TEXT NOT NULL,
                 tx_id INTEGER NOT NULL,
                 confirmations INTEGER,
                 amount INTEGER,
                 payment_id BLOB,
                 reason TEXT
             );
             CREATE TABLE IF NOT EXISTS announced (
                 tx_id INTEGER NOT NULL,
                 name TEXT NOT NULL,
                 value INTEGER NOT NULL,
                 PRIMARY KEY (tx_id, name)
             ) WITHOUT ROWID;
             CREATE TABLE IF NOT EXISTS acked (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);",
        )?;
        let log = Self { conn: Mutex::new(conn) };
        log.migrate()?;
        Ok((log, created))
    }

    /// Brings a log made by an older SDK up to date; `PRAGMA user_version` counts the steps taken.
    fn migrate(&self) -> SdkResult<()> {
        const STEPS: &[&str] = &[
            // 1: reorgs. Where each announced transaction was mined, and the block of `minedUnconfirmed`,
            // `confirmed` and `reorged` events.
            "ALTER TABLE events ADD COLUMN height INTEGER;
             ALTER TABLE events ADD COLUMN block_hash BLOB;
             CREATE TABLE mined (tx_id INTEGER PRIMARY KEY, height INTEGER NOT NULL, block_hash BLOB NOT NULL);
             CREATE INDEX mined_by_height ON mined (height);",
        ];
        self.with(|c| {
            c.immediate_transaction(|c| {
                let done: Vec<Value> = diesel::sql_query("SELECT user_version AS v FROM pragma_user_version").load(c)?;
                let done = done.first().map_or(0, |v| v.v as usize);
                for (i, step) in STEPS.iter().enumerate().skip(done) {
                    c.batch_execute(step)?;
                    c.batch_execute(&format!("PRAGMA user_version = {}", i + 1))?;
                }
                Ok(())
            })
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut SqliteConnection) -> QueryResult<T>) -> SdkResult<T> {
        let mut conn = self.conn.lock().map_err(|_| SdkError::internal("event log lock poisoned"))?;
        f(&mut conn).map_err(db_error)
    }

    /// Records `kind` unless that state of its transaction was announced before (a `minedUnconfirmed` is
    /// news only with more confirmations than announced). Returns the new sequence number, or `None` for
    /// old news and for live-only events. Durable when this returns. `silent` remembers the state without
    /// keeping an event (the baseline of a wallet that had history before it had a log).
    pub fn record(&self, kind: &EventKind, at_ms: f64, silent: bool) -> SdkResult<Option<u64>> {
        Ok(self.record_all(std::slice::from_ref(kind), at_ms, silent)?.pop().flatten())
    }

    /// `record` for many events in one SQLite transaction (one sync to disk): the reconciliation on open.
    pub fn record_all(&self, kinds: &[EventKind], at_ms: f64, silent: bool) -> SdkResult<Vec<Option<u64>>> {
        self.with(|c| c.immediate_transaction(|c| kinds.iter().map(|k| record_in(c, k, at_ms, silent)).collect()))
    }

    /// True when `record` would take `kind` as news (a reorg always: its check is the block's). Reads only:
    /// the pump's walk of a long history on open keeps just the transactions with something untold.
    pub fn is_news(&self, kind: &EventKind) -> SdkResult<bool> {
        match columns(kind) {
            None => Ok(false),
            Some(_) if matches!(kind, EventKind::Reorged { .. }) => Ok(true),
            Some(col) => self.with(|c| told(c, &col)).map(|told| !told),
        }
    }

    /// The sequence number every event up to which was acknowledged (0 before any).
    pub fn acked(&self) -> SdkResult<u64> {
        let rows: Vec<Value> = self.with(|c| diesel::sql_query("SELECT seq AS v FROM acked WHERE id = 1").load(c))?;
        Ok(rows.first().map(|r| r.v as u64).unwrap_or(0))
    }

    /// Up to `limit` events after `after` (default: after the last acknowledged one), oldest first.
    pub fn after(&self, after: Option<u64>, limit: usize) -> SdkResult<Vec<Stored>> {
        let from = match after {
            Some(a) => a,
            None => self.acked()?,
        };
        let rows: Vec<Row> = self.with(|c| {
            diesel::sql_query(
                "SELECT seq, at_ms, name, tx_id, confirmations, amount, payment_id, reason, height, block_hash
                 FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            )
            .bind::<BigInt, _>(from.min(i64::MAX as u64) as i64)
            .bind::<BigInt, _>(limit.min(MAX_PAGE) as i64)
            .load(c)
        })?;
        rows.into_iter().map(|r| Ok(Stored { seq: r.seq as u64, at_ms: r.at_ms as f64, kind: kind_of(r)? })).collect()
    }

    /// `getEvents`: `after` as the wallet's events (`handle`), with their numbers and original times.
    pub fn page(&self, handle: u32, after: Option<u64>, limit: usize) -> SdkResult<Vec<WalletEvent>> {
        Ok(self
            .after(after, limit)?
            .into_iter()
            .map(|e| WalletEvent { wallet_handle: handle, seq: Some(e.seq), timestamp_ms: e.at_ms, kind: e.kind })
            .collect())
    }

    /// The blocks announced transactions were mined in, highest first: `limit` of them from `offset`.
    pub fn mined_from_top(&self, offset: usize, limit: usize) -> SdkResult<Vec<MinedRow>> {
        self.with(|c| {
            diesel::sql_query("SELECT tx_id, height, block_hash FROM mined ORDER BY height DESC, tx_id LIMIT ? OFFSET ?")
                .bind::<BigInt, _>(limit as i64)
                .bind::<BigInt, _>(offset as i64)
                .load(c)
        })
    }

    /// Forgets every event up to and including `seq`; later `after(None)` calls start past it. Acking an
    /// older number than before changes nothing.
    pub fn ack(&self, seq: u64) -> SdkResult<()> {
        let seq = seq.min(i64::MAX as u64) as i64;
        self.with(|c| {
            c.immediate_transaction(|c| {
                diesel::sql_query("INSERT INTO acked (id, seq) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET seq = MAX(seq, excluded.seq)")
                    .bind::<BigInt, _>(seq)
                    .execute(c)?;
                diesel::sql_query("DELETE FROM events WHERE seq <= (SELECT seq FROM acked WHERE id = 1)").execute(c)
            })
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tx_state::TxStatus;
    use super::*;

    fn received(tx_id: u64) -> EventKind {
        EventKind::Received { tx_id, amount: Some(5), payment_id: PaymentId::of(b"order-1") }
    }

    #[test]
    fn each_state_is_announced_once_across_reopens_with_its_number() {
        let tmp = tempfile::tempdir().unwrap();
        let (log, created) = EventLog::open(tmp.path()).unwrap();
        assert!(created);
        assert!(log.is_news(&received(7)).unwrap());
        assert_eq!(log.record(&received(7), 1.0, false).unwrap(), Some(1));
        assert!(!log.is_news(&received(7)).unwrap(), "is_news agrees with record");
        assert_eq!(log.record(&received(7), 2.0, false).unwrap(), None, "a repeat is old news");
        let mined = |c| EventKind::mined_unconfirmed(7, c);
        assert_eq!(log.record(&mined(1), 3.0, false).unwrap(), Some(2));
        assert!(!log.is_news(&mined(1)).unwrap() && log.is_news(&mined(2)).unwrap(), "news with more confirmations");
        assert!(!log.is_news(&EventKind::BalanceChanged { balance: Default::default() }).unwrap(), "live only");
        assert_eq!(log.record(&mined(1), 3.0, false).unwrap(), None);
        assert_eq!(log.record(&EventKind::BalanceChanged { balance: Default::default() }, 3.0, false).unwrap(), None);
        drop(log);

        let (log, created) = EventLog::open(tmp.path()).unwrap();
        assert!(!created);
        assert_eq!(log.record(&received(7), 4.0, false).unwrap(), None, "still old news after a reopen");
        assert_eq!(log.record(&mined(2), 5.0, false).unwrap(), Some(3));
        assert_eq!(log.record(&EventKind::confirmed(7), 6.0, false).unwrap(), Some(4));
        let all = log.after(None, 100).unwrap();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert_eq!(all[0].kind, received(7), "the payment id and amount come back");
        assert_eq!(all[0].at_ms, 1.0);
    }

    #[test]
    fn acked_events_are_forgotten_and_the_cursor_only_moves_forward() {
        let tmp = tempfile::tempdir().unwrap();
        let (log, _) = EventLog::open(tmp.path()).unwrap();
        for tx in 1..=5 {
            log.record(&EventKind::Sent { tx_id: tx }, 0.0, false).unwrap();
        }
        assert_eq!(log.after(Some(3), 100).unwrap().len(), 2);
        assert_eq!(log.after(None, 2).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2]);
        log.ack(3).unwrap();
        log.ack(1).unwrap();
        assert_eq!(log.acked().unwrap(), 3);
        assert_eq!(log.after(None, 100).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(log.after(Some(0), 100).unwrap().len(), 2, "acked events are gone");
        drop(log);
        let (log, _) = EventLog::open(tmp.path()).unwrap();
        assert_eq!(log.acked().unwrap(), 3);
        assert_eq!(log.record(&EventKind::Sent { tx_id: 9 }, 0.0, false).unwrap(), Some(6), "numbers are never reused");
    }

    #[test]
    fn a_silent_record_remembers_without_an_event() {
        let tmp = tempfile::tempdir().unwrap();
        let (log, _) = EventLog::open(tmp.path()).unwrap();
        assert_eq!(log.record(&EventKind::confirmed(1), 0.0, true).unwrap(), None);
        assert_eq!(log.record(&EventKind::confirmed(1), 0.0, false).unwrap(), None);
        assert!(log.after(None, 10).unwrap().is_empty());
    }

    fn confirmed_in(tx_id: u64, height: u64, hash: &str) -> EventKind {
        EventKind::Confirmed { tx_id, mined: MinedIn { mined_height: Some(height), mined_block_hash: Some(hash.into()) } }
    }

    fn reorged(tx_id: u64, height: u64, hash: &str) -> EventKind {
        EventKind::Reorged { tx_id, old_height: height, old_block_hash: hash.into(), status: TxStatus::Broadcast }
    }

    #[test]
    fn a_reorg_is_announced_once_and_makes_the_mining_news_again() {
        let tmp = tempfile::tempdir().unwrap();
        let (log, _) = EventLog::open(tmp.path()).unwrap();
        let (a, b) = ("aa".repeat(32), "bb".repeat(32));
        assert_eq!(log.record(&confirmed_in(7, 10, &a), 0.0, false).unwrap(), Some(1));
        assert_eq!(log.record(&confirmed_in(8, 9, &a), 0.0, false).unwrap(), Some(2));
        let top = log.mined_from_top(0, 10).unwrap();
        assert_eq!(top.iter().map(|r| (r.tx_id, r.height)).collect::<Vec<_>>(), [(7, 10), (8, 9)], "highest first");
        assert_eq!(log.record(&reorged(7, 10, &b), 0.0, false).unwrap(), None, "not the block it was announced in");
        assert_eq!(log.record(&reorged(7, 10, &a), 0.0, false).unwrap(), Some(3));
        assert_eq!(log.record(&reorged(7, 10, &a), 0.0, false).unwrap(), None, "a reorg is news once");
        assert_eq!(log.mined_from_top(0, 10).unwrap().len(), 1);
        assert_eq!(log.record(&confirmed_in(7, 11, &b), 0.0, false).unwrap(), Some(4), "mined anew is news");
        drop(log);
        let (log, _) = EventLog::open(tmp.path()).unwrap();
        let kinds: Vec<_> = log.after(None, 10).unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [confirmed_in(7, 10, &a), confirmed_in(8, 9, &a), reorged(7, 10, &a), confirmed_in(7, 11, &b)]);
    }

    #[test]
    fn a_log_from_before_reorgs_is_migrated_and_keeps_its_events() {
        let tmp = tempfile::tempdir().unwrap();
        let (mut conn, _) = open_db(
            tmp.path(),
            FILE,
            "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, name TEXT NOT NULL,
                 tx_id INTEGER NOT NULL, confirmations INTEGER, amount INTEGER, payment_id BLOB, reason TEXT);
             CREATE TABLE announced (tx_id INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
                 PRIMARY KEY (tx_id, name)) WITHOUT ROWID;
             CREATE TABLE acked (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
             INSERT INTO events (at_ms, name, tx_id) VALUES (5, 'sent', 3);
             INSERT INTO announced VALUES (3, 'sent', 0);",
        )
        .unwrap();
        conn.batch_execute("SELECT 1").unwrap();
        drop(conn);
        let (log, created) = EventLog::open(tmp.path()).unwrap();
        assert!(!created);
        assert_eq!(log.after(None, 10).unwrap()[0].kind, EventKind::Sent { tx_id: 3 });
        assert_eq!(log.record(&confirmed_in(3, 4, &"cc".repeat(32)), 0.0, false).unwrap(), Some(2));
        drop(log);
        EventLog::open(tmp.path()).unwrap();
    }
}
