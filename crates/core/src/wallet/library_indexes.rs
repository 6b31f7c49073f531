//! Indexes this SDK adds to the library's tables, for the queries it makes of them.
//!
//! The library's tables have none of these, so each of these queries read every row, large transaction
//! blobs included, and its cost grew with the wallet:
//! - `getTransactions(h, { paymentId })`: the library filters by payment id in SQL (28.9 ms at 10,000
//!   transactions in bench/receiving.js without the index);
//! - a page of history, and the walk the event pump makes on open (`get_completed_transactions_paginated`
//!   orders by timestamp: without an index every chunk is a full scan and a sort);
//! - a page of unspent outputs (`get_outputs_by_query`, by status, largest first), which otherwise reads the
//!   spent outputs too, and they only ever grow.
//!
//! Only indexes: the library's schema and data are untouched, and a library migration that rebuilds a table
//! drops them harmlessly (they are made again at the next open). Best effort: a failure costs speed, not
//! correctness. Named `sdk_` so that their owner is plain to anyone reading the database.

use std::path::Path;

/// `CREATE INDEX` statements, idempotent.
const INDEXES: &str = "
    CREATE INDEX IF NOT EXISTS sdk_completed_transactions_user_payment_id ON completed_transactions (user_payment_id);
    CREATE INDEX IF NOT EXISTS sdk_completed_transactions_timestamp ON completed_transactions (timestamp);
    CREATE INDEX IF NOT EXISTS sdk_outputs_status_value ON outputs (status, value);";

/// Adds the indexes to the wallet database `db_file`, which the library has already migrated.
pub fn add(db_file: &Path) {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let made = db_file.to_str().ok_or("not UTF-8").map_err(|e| e.to_string()).and_then(|url| {
        let mut c = diesel::sqlite::SqliteConnection::establish(url).map_err(|e| e.to_string())?;
        c.batch_execute(&format!("PRAGMA busy_timeout = 5000; {INDEXES}")).map_err(|e| e.to_string())
    });
    if let Err(e) = made {
        tracing::warn!(error = %e, "could not index the wallet's tables; listings will scan them");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::prelude::*;
    use minotari_wallet::storage::sqlite_utilities::initialize_sqlite_database_backends;
    use tari_utilities::SafePassword;

    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }

    /// Each query this SDK has the library make, as the library's diesel code words it, and the index it
    /// must use.
    #[test]
    fn the_sdks_queries_of_the_library_tables_use_an_index() {
        let tmp = tempfile::tempdir().unwrap();
        let db_file = tmp.path().join("console_wallet.db");
        initialize_sqlite_database_backends(&db_file, SafePassword::from("pw"), 1).unwrap();
        add(&db_file);
        add(&db_file); // idempotent
        let mut c = diesel::sqlite::SqliteConnection::establish(db_file.to_str().unwrap()).unwrap();
        let queries = [
            ("SELECT * FROM completed_transactions WHERE user_payment_id = x'01'", "sdk_completed_transactions_user_payment_id"),
            ("SELECT * FROM completed_transactions ORDER BY timestamp DESC LIMIT 256 OFFSET 240", "sdk_completed_transactions_timestamp"),
            (
                "SELECT * FROM outputs WHERE script_lock_height <= 10 AND maturity <= 10 AND script_lock_height >= 0 \
                 AND maturity >= 0 AND status IN (0, 9) ORDER BY value DESC LIMIT 256 OFFSET 0",
                "sdk_outputs_status_value",
            ),
        ];
        for (query, index) in queries {
            let plan: Vec<Plan> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {query}")).load(&mut c).unwrap();
            let plan: Vec<_> = plan.into_iter().map(|p| p.detail).collect();
            assert!(plan.iter().any(|p| p.contains(index)), "{query}: {plan:?}");
        }
    }
}
