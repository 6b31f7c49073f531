//! A wallet's balance, as queries and events report it.

/// A wallet's balance; amounts in µT, as `bigint`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    /// Spendable now.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub available: u64,
    /// Incoming, not yet confirmed.
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub pending_incoming: u64,
    /// Sent, not yet confirmed (including change).
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub pending_outgoing: u64,
    /// Part of `available` still time-locked (e.g. immature coinbase).
    #[serde(serialize_with = "crate::js_repr::bigint")]
    #[ts(type = "bigint")]
    pub time_locked: u64,
}
