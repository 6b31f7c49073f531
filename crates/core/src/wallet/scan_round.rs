//! The library's first scanning round after a wallet opens, which a close waits for.

use std::time::Duration;

use minotari_wallet::utxo_scanner_service::handle::UtxoScannerEvent;
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

/// How long a close waits for the library's first scanning round after open to end.
const FIRST_ROUND_WAIT: Duration = Duration::from_secs(2);

/// Becomes true when the library's first scanning round after open ends (`Completed` or
/// `ScanningRoundFailed`), or when `closed` is cancelled. `events` is the scanner's stream, subscribed to
/// right after the library starts, before that round can end.
///
/// Why: the round ends by asking the output manager and the transaction service to validate. A shutdown
/// at that instant can strand the request in a stopping service's channel (see `pump::pump`), and the round's
/// task then holds the wallet's database and its file lock for good: the directory could not be opened
/// again in this process. A close right after open met that round about once in 300 cycles.
pub fn first_round(mut events: broadcast::Receiver<UtxoScannerEvent>, closed: CancellationToken) -> watch::Receiver<bool> {
    let (ended, rx) = watch::channel(false);
    tokio::spawn(async move {
        let round = async {
            loop {
                match events.recv().await {
                    Ok(UtxoScannerEvent::Completed { .. } | UtxoScannerEvent::ScanningRoundFailed { .. })
                    | Err(broadcast::error::RecvError::Closed) => return,
                    _ => {}
                }
            }
        };
        closed.run_until_cancelled(round).await;
        let _ = ended.send(true);
    });
    rx
}

/// Waits (at most `FIRST_ROUND_WAIT`) until the first scanning round after open has ended. A round later
/// on can still meet a close, but only if the close falls in its last milliseconds.
pub async fn after_first_round(mut ended: watch::Receiver<bool>) {
    let _ = tokio::time::timeout(FIRST_ROUND_WAIT, ended.wait_for(|e| *e)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use tari_transaction_components::MicroMinotari;

    fn progress() -> UtxoScannerEvent {
        UtxoScannerEvent::Progress { current_height: 1, tip_height: 2, latency: Duration::ZERO, current_node: String::new() }
    }

    async fn ended_within(rx: &mut watch::Receiver<bool>, ms: u64) -> bool {
        tokio::time::timeout(Duration::from_millis(ms), rx.wait_for(|e| *e)).await.is_ok()
    }

    #[tokio::test]
    async fn the_first_round_ends_with_its_outcome_the_stream_or_the_close_and_not_before() {
        let (tx, _) = broadcast::channel(8);
        let mut rx = first_round(tx.subscribe(), CancellationToken::new());
        tx.send(progress()).unwrap();
        assert!(!ended_within(&mut rx, 50).await, "progress is not the end of the round");
        let done = UtxoScannerEvent::Completed {
            final_height: 2,
            num_recovered: 0,
            value_recovered: MicroMinotari::from(0),
            time_taken: Duration::ZERO,
            latency: Duration::ZERO,
            current_node: String::new(),
        };
        tx.send(done).unwrap();
        assert!(ended_within(&mut rx, 1000).await);

        let mut rx = first_round(tx.subscribe(), CancellationToken::new());
        tx.send(UtxoScannerEvent::ScanningRoundFailed { num_retries: 1, retry_limit: 3, error: String::new() }).unwrap();
        assert!(ended_within(&mut rx, 1000).await, "a failed round ends it too");

        let (tx, _) = broadcast::channel::<UtxoScannerEvent>(8);
        let mut rx = first_round(tx.subscribe(), CancellationToken::new());
        drop(tx);
        assert!(ended_within(&mut rx, 1000).await, "the scanner stopped");

        let (tx, _) = broadcast::channel::<UtxoScannerEvent>(8);
        let closed = CancellationToken::new();
        let mut rx = first_round(tx.subscribe(), closed.clone());
        closed.cancel();
        assert!(ended_within(&mut rx, 1000).await, "the wallet closed");
    }

    #[tokio::test]
    async fn a_close_waits_for_the_first_round_no_longer_than_its_bound() {
        let (tx, _) = broadcast::channel::<UtxoScannerEvent>(8);
        let rx = first_round(tx.subscribe(), CancellationToken::new());
        let t = std::time::Instant::now();
        after_first_round(rx).await;
        let waited = t.elapsed();
        assert!(waited >= FIRST_ROUND_WAIT && waited < FIRST_ROUND_WAIT + Duration::from_secs(1), "{waited:?}");
    }
}
