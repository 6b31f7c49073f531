//! Durable wallet events: the money events (`received`, `sent`, `broadcast`, `minedUnconfirmed`,
//! `confirmed`, `cancelled`) numbered per wallet and kept in `<dataDir>/sdk/events.sqlite3` until the
//! application acknowledges them.
//!
//! Exactly once across restarts: the log also remembers which state of which transaction it announced, and
//! a state is recorded (and given its sequence number) in the same SQLite transaction that checks it was not
//! announced before. So the live stream, the reconciliation on open (`pump`) and a second process run all
//! agree, and a process killed before it acked finds the same events, with the same numbers, again.
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

use super::address::PaymentId;
use super::events::{EventKind, WalletEvent};
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
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = BigInt)]
    v: i64,
}

/// The columns of a durable event: (name, tx id, confirmations, amount, payment id bytes, reason). `None`
/// for a live-only event.
type Columns = (&'static str, u64, Option<u64>, Option<u64>, Option<Vec<u8>>, Option<String>);

fn columns(kind: &EventKind) -> Option<Columns> {
    let hex_bytes = |p: &PaymentId| p.hex.as_deref().and_then(|h| tari_utilities::hex::from_hex(h).ok());
    Some(match kind {
        EventKind::Received { tx_id, amount, payment_id } => ("received", *tx_id, None, *amount, hex_bytes(payment_id), None),
        EventKind::Sent { tx_id } => ("sent", *tx_id, None, None, None, None),
        EventKind::Broadcast { tx_id } => ("broadcast", *tx_id, None, None, None, None),
        EventKind::MinedUnconfirmed { tx_id, confirmations } => ("minedUnconfirmed", *tx_id, Some(*confirmations), None, None, None),
        EventKind::Confirmed { tx_id } => ("confirmed", *tx_id, None, None, None, None),
        EventKind::Cancelled { tx_id, reason } => ("cancelled", *tx_id, None, None, None, Some(reason.clone())),
        _ => return None,
    })
}

fn kind_of(r: Row) -> SdkResult<EventKind> {
    let tx_id = r.tx_id as u64;
    Ok(match r.name.as_str() {
        "received" => EventKind::Received {
            tx_id,
            amount: r.amount.map(|a| a as u64),
            payment_id: PaymentId::of(r.payment_id.as_deref().unwrap_or_default()),
        },
        "sent" => EventKind::Sent { tx_id },
        "broadcast" => EventKind::Broadcast { tx_id },
        "minedUnconfirmed" => EventKind::MinedUnconfirmed { tx_id, confirmations: r.confirmations.unwrap_or(0) as u64 },
        "confirmed" => EventKind::Confirmed { tx_id },
        "cancelled" => EventKind::Cancelled { tx_id, reason: r.reason.unwrap_or_default() },
        other => return Err(db_error(format!("the event log holds an unknown event {other:?}"))),
    })
}

fn record_in(c: &mut SqliteConnection, kind: &EventKind, at_ms: f64, silent: bool) -> QueryResult<Option<u64>> {
    let Some((name, tx_id, confirmations, amount, payment_id, reason)) = columns(kind) else { return Ok(None) };
    let value = confirmations.unwrap_or(0) as i64;
    let before: Vec<Value> = diesel::sql_query("SELECT value AS v FROM announced WHERE tx_id = ? AND name = ?")
        .bind::<BigInt, _>(tx_id as i64)
        .bind::<Text, _>(name)
        .load(c)?;
    if before.first().is_some_and(|b| b.v >= value) {
        return Ok(None);
    }
    diesel::sql_query("INSERT OR REPLACE INTO announced (tx_id, name, value) VALUES (?, ?, ?)")
        .bind::<BigInt, _>(tx_id as i64)
        .bind::<Text, _>(name)
        .bind::<BigInt, _>(value)
        .execute(c)?;
    if silent {
        return Ok(None);
    }
    let seq: Vec<Value> = diesel::sql_query(
        "INSERT INTO events (at_ms, name, tx_id, confirmations, amount, payment_id, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING seq AS v",
    )
    .bind::<BigInt, _>(at_ms as i64)
    .bind::<Text, _>(name)
    .bind::<BigInt, _>(tx_id as i64)
    .bind::<Nullable<BigInt>, _>(confirmations.map(|c| c as i64))
    .bind::<Nullable<BigInt>, _>(amount.map(|a| a as i64))
    .bind::<Nullable<Binary>, _>(payment_id)
    .bind::<Nullable<Text>, _>(reason)
    .load(c)?;
    Ok(seq.first().map(|s| s.v as u64))
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
        Ok((Self { conn: Mutex::new(conn) }, created))
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
                "SELECT seq, at_ms, name, tx_id, confirmations, amount, payment_id, reason FROM events
                 WHERE seq > ? ORDER BY seq LIMIT ?",
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
    use super::*;

    fn received(tx_id: u64) -> EventKind {
        EventKind::Received { tx_id, amount: Some(5), payment_id: PaymentId::of(b"order-1") }
    }

    #[test]
    fn each_state_is_announced_once_across_reopens_with_its_number() {
        let tmp = tempfile::tempdir().unwrap();
        let (log, created) = EventLog::open(tmp.path()).unwrap();
        assert!(created);
        assert_eq!(log.record(&received(7), 1.0, false).unwrap(), Some(1));
        assert_eq!(log.record(&received(7), 2.0, false).unwrap(), None, "a repeat is old news");
        let mined = |c| EventKind::MinedUnconfirmed { tx_id: 7, confirmations: c };
        assert_eq!(log.record(&mined(1), 3.0, false).unwrap(), Some(2));
        assert_eq!(log.record(&mined(1), 3.0, false).unwrap(), None);
        assert_eq!(log.record(&EventKind::BalanceChanged { balance: Default::default() }, 3.0, false).unwrap(), None);
        drop(log);

        let (log, created) = EventLog::open(tmp.path()).unwrap();
        assert!(!created);
        assert_eq!(log.record(&received(7), 4.0, false).unwrap(), None, "still old news after a reopen");
        assert_eq!(log.record(&mined(2), 5.0, false).unwrap(), Some(3));
        assert_eq!(log.record(&EventKind::Confirmed { tx_id: 7 }, 6.0, false).unwrap(), Some(4));
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
        assert_eq!(log.record(&EventKind::Confirmed { tx_id: 1 }, 0.0, true).unwrap(), None);
        assert_eq!(log.record(&EventKind::Confirmed { tx_id: 1 }, 0.0, false).unwrap(), None);
        assert!(log.after(None, 10).unwrap().is_empty());
    }
}
