//! The chain's clock: reading it, moving to the next slot, setting the time.

use solana_clock::Clock;

use crate::*;

impl Env {
    pub async fn now(&self) -> i64 {
        self.clock().await.unix_timestamp
    }

    async fn clock(&self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock")
    }

    /// Moves the bank to its next slot, as the chain does between blocks.
    pub async fn next_slot(&mut self) {
        let slot = self.clock().await.slot;
        self.ctx
            .warp_to_slot(slot + 1)
            .expect("warp to the next slot");
    }

    /// Moves the chain's clock to `unix_timestamp`.
    pub async fn set_time(&self, unix_timestamp: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
    }
}
