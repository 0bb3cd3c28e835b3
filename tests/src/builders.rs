//! One builder per program instruction, with the references to what the fixture created.

use anchor_lang::{prelude::Pubkey, AccountDeserialize, InstructionData, ToAccountMetas};
use p2p_escrow::{
    accounts as accs, instruction as ixs,
    room::{MessageKind, RoomKey},
    state::{Arbiter, ConfigParams, OfferTerms, Profile},
    terms::TakeTerms,
    AcceptProposalArgs, CreateOfferArgs, PostMessageArgs, ProposeEndingArgs, SetArbiterRoomKeyArgs,
    TakeOfferArgs,
};
use solana_instruction::{AccountMeta, Instruction};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::*;

/// An offer made by the fixture, with the addresses its instructions need.
#[derive(Clone, Copy, Debug)]
pub struct OfferRef {
    pub address: Pubkey,
    pub offer_id: u64,
    pub seller: Pubkey,
    pub mint: TestMint,
    pub vault: Pubkey,
}

/// A trade made by the fixture.
#[derive(Clone, Copy, Debug)]
pub struct TradeRef {
    pub address: Pubkey,
    /// The buyer's trade id, part of the address.
    pub trade_id: u64,
    pub offer: OfferRef,
    pub buyer: Pubkey,
    /// The fallback arbiter the trade fixes (or fixed) at take.
    pub fallback: Option<Pubkey>,
}

impl TradeRef {
    /// The trade's holding account: its associated token account.
    pub fn holding(&self) -> Pubkey {
        self.offer.mint.ata(&self.address)
    }
}

/// A program instruction from anchor's client accounts and instruction data.
pub fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: p2p_escrow::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

impl Env {
    pub fn open_profile_ix(&self, wallet: &Pubkey) -> Instruction {
        ix(
            accs::OpenProfile {
                wallet: *wallet,
                profile: addresses::profile(wallet),
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::OpenProfile {},
        )
    }

    /// `wallet` opens its profile, as it must before its first offer or trade.
    pub async fn open_profile(&self, wallet: &Keypair) {
        self.ok(&[self.open_profile_ix(&wallet.pubkey())], &[wallet])
            .await;
        self.track(&[addresses::profile(&wallet.pubkey())]);
    }

    pub fn initialize_config_ix(&self, authority: &Pubkey, params: ConfigParams) -> Instruction {
        ix(
            accs::InitializeConfig {
                authority: *authority,
                config: addresses::config(),
                program_data: addresses::program_data(),
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::InitializeConfig { params },
        )
    }

    pub fn update_config_ix(&self, admin: &Pubkey, params: ConfigParams) -> Instruction {
        ix(
            accs::UpdateConfig {
                admin: *admin,
                config: addresses::config(),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::UpdateConfig { params },
        )
    }

    pub fn set_pause_ix(&self, admin: &Pubkey, offers: bool, trades: bool) -> Instruction {
        ix(
            accs::SetPause {
                admin: *admin,
                config: addresses::config(),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::SetPause {
                args: p2p_escrow::SetPauseArgs {
                    new_offers_paused: offers,
                    new_trades_paused: trades,
                },
            },
        )
    }

    pub fn propose_admin_ix(&self, admin: &Pubkey, new_admin: Pubkey) -> Instruction {
        ix(
            accs::ProposeAdmin {
                admin: *admin,
                config: addresses::config(),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::ProposeAdmin { new_admin },
        )
    }

    pub fn accept_admin_ix(&self, new_admin: &Pubkey) -> Instruction {
        ix(
            accs::AcceptAdmin {
                new_admin: *new_admin,
                config: addresses::config(),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::AcceptAdmin {},
        )
    }

    pub fn register_arbiter_ix(&self, authority: &Pubkey, fee_bps: u16) -> Instruction {
        ix(
            accs::RegisterArbiter {
                admin: self.admin.pubkey(),
                config: addresses::config(),
                authority: *authority,
                arbiter: addresses::arbiter(authority),
                system_program: solana_sdk_ids::system_program::ID,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::RegisterArbiter {
                args: p2p_escrow::RegisterArbiterArgs { fee_bps },
            },
        )
    }

    pub fn update_arbiter_ix(&self, authority: &Pubkey, fee_bps: u16, active: bool) -> Instruction {
        ix(
            accs::UpdateArbiter {
                admin: self.admin.pubkey(),
                config: addresses::config(),
                arbiter: addresses::arbiter(authority),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::UpdateArbiter {
                args: p2p_escrow::UpdateArbiterArgs { fee_bps, active },
            },
        )
    }

    /// The default terms: 1..=100 tokens a trade, the env's arbiter, no attestor, a bond.
    pub fn default_terms(&self) -> OfferTerms {
        OfferTerms {
            min_trade_amount: TOKEN,
            max_trade_amount: 100 * TOKEN,
            price: PRICE,
            fiat_currency: *b"EUR",
            payment_terms_hash: [7; 32],
            payment_window: PAYMENT_WINDOW,
            release_window: RELEASE_WINDOW,
            arbiter: self.arbiter.pubkey(),
            attestor: None,
            buyer_bond: BUYER_BOND,
            allowed_buyer: None,
            response_window: 0,
        }
    }

    /// The offer a seller would get with this id and mint.
    pub fn offer_ref(&self, seller: &Pubkey, offer_id: u64, mint: &TestMint) -> OfferRef {
        let address = addresses::offer(seller, offer_id);
        OfferRef {
            address,
            offer_id,
            seller: *seller,
            mint: *mint,
            vault: mint.ata(&address),
        }
    }

    /// A wallet's profile, if it has one yet.
    pub async fn profile(&self, wallet: &Pubkey) -> Option<Profile> {
        let account = self.account(&addresses::profile(wallet)).await?;
        Some(Profile::try_deserialize(&mut account.data.as_slice()).expect("profile decodes"))
    }

    /// The id of a seller's next offer, as the chain stands.
    pub async fn next_offer_id(&self, seller: &Pubkey) -> u64 {
        self.profile(seller).await.map_or(0, |p| p.offers_created)
    }

    pub fn create_offer_accounts(&self, offer: &OfferRef) -> accs::CreateOffer {
        accs::CreateOffer {
            seller: offer.seller,
            profile: addresses::profile(&offer.seller),
            config: addresses::config(),
            arbiter: addresses::arbiter(&self.arbiter.pubkey()),
            offer: offer.address,
            mint: offer.mint.address,
            vault: offer.vault,
            seller_token_account: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            associated_token_program: spl_associated_token_account_interface::program::ID,
            system_program: solana_sdk_ids::system_program::ID,
            event_authority: addresses::event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn create_offer_ix(&self, offer: &OfferRef, amount: u64, terms: OfferTerms) -> Instruction {
        self.create_offer_ix_with_room_key(offer, amount, terms, room_key(&offer.seller))
    }

    pub fn create_offer_ix_with_room_key(
        &self,
        offer: &OfferRef,
        amount: u64,
        terms: OfferTerms,
        room_key: RoomKey,
    ) -> Instruction {
        let mut accounts = self.create_offer_accounts(offer);
        accounts.arbiter = addresses::arbiter(&terms.arbiter);
        ix(
            accounts,
            ixs::CreateOffer {
                args: CreateOfferArgs {
                    offer_id: offer.offer_id,
                    amount,
                    terms,
                    room_key,
                },
            },
        )
    }

    /// The seller funds itself with `amount` of `mint` and creates an offer with `terms`.
    pub async fn create_offer_with(
        &self,
        mint: &TestMint,
        amount: u64,
        terms: OfferTerms,
    ) -> OfferRef {
        let seller = self.seller.pubkey();
        let offer = self.offer_ref(&seller, self.next_offer_id(&seller).await, mint);
        self.mint_to(mint, &self.seller.pubkey(), amount).await;
        self.ok(
            &[self.create_offer_ix(&offer, amount, terms)],
            &[&self.seller],
        )
        .await;
        self.track(&[offer.address, offer.vault]);
        self.vaults.borrow_mut().push((offer, 0));
        offer
    }

    /// The default offer: 1000 tokens of `mint` on the default terms.
    pub async fn create_offer(&self, mint: &TestMint) -> OfferRef {
        self.create_offer_with(mint, 1_000 * TOKEN, self.default_terms())
            .await
    }

    pub fn deposit_accounts(&self, offer: &OfferRef) -> accs::Deposit {
        accs::Deposit {
            seller: offer.seller,
            offer: offer.address,
            vault: offer.vault,
            mint: offer.mint.address,
            seller_token_account: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            event_authority: addresses::event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn deposit_ix(&self, offer: &OfferRef, amount: u64) -> Instruction {
        ix(self.deposit_accounts(offer), ixs::Deposit { amount })
    }

    pub fn withdraw_accounts(&self, offer: &OfferRef) -> accs::Withdraw {
        accs::Withdraw {
            seller: offer.seller,
            offer: offer.address,
            vault: offer.vault,
            mint: offer.mint.address,
            destination: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            memo_program: MEMO_PROGRAM,
            event_authority: addresses::event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn withdraw_ix(&self, offer: &OfferRef, amount: u64) -> Instruction {
        ix(self.withdraw_accounts(offer), ixs::Withdraw { amount })
    }

    pub fn set_offer_paused_ix(
        &self,
        offer: &OfferRef,
        seller: &Pubkey,
        paused: bool,
    ) -> Instruction {
        ix(
            accs::SetOfferPaused {
                seller: *seller,
                offer: offer.address,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::SetOfferPaused { paused },
        )
    }

    pub fn close_offer_accounts(&self, offer: &OfferRef) -> accs::CloseOffer {
        accs::CloseOffer {
            seller: offer.seller,
            offer: offer.address,
            vault: offer.vault,
            mint: offer.mint.address,
            destination: offer.mint.ata(&offer.seller),
            token_program: offer.mint.token_program,
            memo_program: MEMO_PROGRAM,
            event_authority: addresses::event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn close_offer_ix(&self, offer: &OfferRef) -> Instruction {
        ix(self.close_offer_accounts(offer), ixs::CloseOffer {})
    }

    /// The terms a buyer who read the offer and the config now would see for `trade`.
    pub async fn take_terms(&self, trade: &TradeRef) -> TakeTerms {
        let state = self.offer(&trade.offer).await;
        let arbiter = self.arbiter_account(&state.terms.arbiter).await;
        let config = self.config().await;
        TakeTerms {
            mint: state.mint,
            terms: state.terms,
            fee_bps: config.fee_bps,
            arbiter_fee_bps: arbiter.fee_bps,
            fallback_arbiter: self.usable_fallback(&trade.offer, &trade.buyer).await,
            default_buyer_bps: config.default_buyer_bps,
            ruling_window: config.ruling_window,
        }
    }

    /// What a buyer who read the offer and the config now would put in `take_offer` for `trade`.
    pub async fn take_args(&self, trade: &TradeRef, amount: u64) -> TakeOfferArgs {
        take_args(trade, amount, &self.take_terms(trade).await)
    }

    /// The config's fallback arbiter as a trade of `buyer` on `offer` would fix it now: registered,
    /// active, neither party nor the offer's arbiter.
    pub async fn usable_fallback(&self, offer: &OfferRef, buyer: &Pubkey) -> Option<Pubkey> {
        let fallback = self.config().await.fallback_arbiter;
        let account = self.account(&addresses::arbiter(&fallback)).await?;
        let state = Arbiter::try_deserialize(&mut account.data.as_slice()).ok()?;
        let arbiter = self.offer(offer).await.terms.arbiter;
        let usable =
            state.active && fallback != arbiter && fallback != *buyer && fallback != offer.seller;
        usable.then_some(fallback)
    }

    /// The next trade of `buyer` on an offer, as the chain stands.
    pub async fn next_trade(&self, offer: &OfferRef, buyer: &Pubkey) -> TradeRef {
        let trade_id = self.profile(buyer).await.map_or(0, |p| p.trades_taken);
        TradeRef {
            address: addresses::trade(buyer, trade_id),
            trade_id,
            offer: *offer,
            buyer: *buyer,
            fallback: self.usable_fallback(offer, buyer).await,
        }
    }

    pub async fn take_offer_accounts(&self, trade: &TradeRef) -> accs::TakeOffer {
        let state = self.offer(&trade.offer).await;
        accs::TakeOffer {
            buyer: trade.buyer,
            profile: addresses::profile(&trade.buyer),
            config: addresses::config(),
            offer: trade.offer.address,
            arbiter: addresses::arbiter(&state.terms.arbiter),
            fallback_arbiter: addresses::arbiter(&self.config().await.fallback_arbiter),
            trade: trade.address,
            vault: trade.offer.vault,
            mint: trade.offer.mint.address,
            system_program: solana_sdk_ids::system_program::ID,
            event_authority: addresses::event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub async fn take_offer_ix(&self, trade: &TradeRef, args: TakeOfferArgs) -> Instruction {
        ix(
            self.take_offer_accounts(trade).await,
            ixs::TakeOffer { args },
        )
    }

    /// `buyer` takes `amount` of the offer on the terms it shows now.
    pub async fn take(&self, offer: &OfferRef, buyer: &Keypair, amount: u64) -> TradeRef {
        let trade = self.next_trade(offer, &buyer.pubkey()).await;
        let args = self.take_args(&trade, amount).await;
        self.ok(&[self.take_offer_ix(&trade, args).await], &[buyer])
            .await;
        self.track(&[trade.address]);
        trade
    }

    /// `buyer` tries to take `amount` of the offer on the terms it shows now and is refused with
    /// custom error `expected`; nothing changes, the trade's address included.
    pub async fn refuse_take(&self, offer: &OfferRef, buyer: &Keypair, amount: u64, expected: u32) {
        let trade = self.next_trade(offer, &buyer.pubkey()).await;
        self.track(&[trade.address]);
        let args = self.take_args(&trade, amount).await;
        self.refuse(
            &[self.take_offer_ix(&trade, args).await],
            &[buyer],
            expected,
        )
        .await;
    }

    pub fn cancel_trade_ix(&self, trade: &TradeRef) -> Instruction {
        ix(
            accs::CancelTrade {
                buyer: trade.buyer,
                unpaid: trade_unwind(trade),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::CancelTrade {},
        )
    }

    pub fn expire_trade_accounts(&self, trade: &TradeRef, cranker: &Pubkey) -> accs::ExpireTrade {
        accs::ExpireTrade {
            cranker: *cranker,
            seller: trade.offer.seller,
            buyer: trade.buyer,
            unpaid: trade_unwind(trade),
            event_authority: addresses::event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn expire_trade_ix(&self, trade: &TradeRef, cranker: &Pubkey) -> Instruction {
        ix(
            self.expire_trade_accounts(trade, cranker),
            ixs::ExpireTrade {},
        )
    }

    pub fn mark_paid_ix(&self, trade: &TradeRef, payment_ref_hash: [u8; 32]) -> Instruction {
        ix(
            accs::MarkPaid {
                buyer: trade.buyer,
                trade: trade.address,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::MarkPaid { payment_ref_hash },
        )
    }

    /// The accounts of `release` for a trade whose arbiter in charge is the env's arbiter (set
    /// `arbiter` to the fallback's account after an escalation).
    pub fn release_accounts(&self, trade: &TradeRef) -> accs::Release {
        let mint = &trade.offer.mint;
        accs::Release {
            seller: trade.offer.seller,
            config: addresses::config(),
            payout: trade_payout(trade),
            buyer: trade.buyer,
            arbiter: addresses::arbiter(&self.arbiter.pubkey()),
            fee_vault: fee_vault(mint),
            event_authority: addresses::event_authority(),
            program: p2p_escrow::ID,
        }
    }

    pub fn release_ix(&self, trade: &TradeRef) -> Instruction {
        ix(self.release_accounts(trade), ixs::Release {})
    }

    /// Tracks the token accounts a payout may create, so refusals prove they were not created.
    pub fn track_payout_accounts(&self, trade: &TradeRef) {
        let mint = &trade.offer.mint;
        self.track(&[
            mint.ata(&trade.buyer),
            fee_vault(mint),
            mint.ata(&trade.offer.seller),
            trade.holding(),
        ]);
    }

    /// `claim` of a `Settled` trade by its buyer: held tokens to `destination`, lamports to
    /// `recipient`.
    pub fn claim_ix(
        &self,
        trade: &TradeRef,
        destination: Option<Pubkey>,
        recipient: &Pubkey,
    ) -> Instruction {
        let mint = &trade.offer.mint;
        ix(
            accs::Claim {
                buyer: trade.buyer,
                trade: trade.address,
                holding: trade.holding(),
                destination,
                recipient: *recipient,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Claim {},
        )
    }

    /// `withdraw_fees` of `amount` from a mint's fee vault to `destination`, signed by `admin`.
    pub fn withdraw_fees_ix(
        &self,
        admin: &Pubkey,
        mint: &TestMint,
        destination: &Pubkey,
        amount: u64,
    ) -> Instruction {
        ix(
            accs::WithdrawFees {
                admin: *admin,
                config: addresses::config(),
                fee_vault: fee_vault(mint),
                destination: *destination,
                mint: mint.address,
                token_program: mint.token_program,
                memo_program: MEMO_PROGRAM,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::WithdrawFees { amount },
        )
    }
}

impl Env {
    pub fn open_dispute_ix(
        &self,
        trade: &TradeRef,
        caller: &Pubkey,
        arbiter: &Pubkey,
    ) -> Instruction {
        ix(
            accs::OpenDispute {
                caller: *caller,
                trade: trade.address,
                arbiter: addresses::arbiter(arbiter),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::OpenDispute {},
        )
    }

    /// `post_message` by `author` in `trade`'s room.
    pub fn post_message_ix(
        &self,
        trade: &TradeRef,
        author: &Pubkey,
        kind: MessageKind,
        body: Vec<u8>,
    ) -> Instruction {
        ix(
            accs::PostMessage {
                author: *author,
                trade: trade.address,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::PostMessage {
                args: PostMessageArgs { kind, body },
            },
        )
    }

    /// The wire size of the transaction a client sends to post a `len`-byte message in `trade`'s
    /// room as its buyer: a v0 message paid by the author, with a compute-unit limit.
    pub fn message_transaction_size(&self, trade: &TradeRef, len: usize) -> usize {
        let author = &self.buyer;
        let instructions = [
            solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
                400_000,
            ),
            self.post_message_ix(trade, &author.pubkey(), MessageKind::Chat, vec![7; len]),
        ];
        let message = solana_message::v0::Message::try_compile(
            &author.pubkey(),
            &instructions,
            &[],
            solana_hash::Hash::default(),
        )
        .expect("the message compiles");
        let transaction = solana_transaction::versioned::VersionedTransaction::try_new(
            solana_message::VersionedMessage::V0(message),
            &[author],
        )
        .expect("the author signs");
        bincode::serialize(&transaction)
            .expect("the transaction serializes")
            .len()
    }

    /// `propose_ending` by `party`: `buyer_amount` tokens to the buyer, the rest to the offer.
    pub fn propose_ending_ix(
        &self,
        trade: &TradeRef,
        party: &Pubkey,
        buyer_amount: u64,
    ) -> Instruction {
        ix(
            accs::ProposeEnding {
                party: *party,
                trade: trade.address,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::ProposeEnding {
                args: ProposeEndingArgs { buyer_amount },
            },
        )
    }

    /// `withdraw_proposal` by `party`.
    pub fn withdraw_proposal_ix(&self, trade: &TradeRef, party: &Pubkey) -> Instruction {
        ix(
            accs::WithdrawProposal {
                party: *party,
                trade: trade.address,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::WithdrawProposal {},
        )
    }

    /// `accept_proposal` by `party`, naming `buyer_amount`, with `arbiter`'s account as the
    /// arbiter in charge.
    pub fn accept_proposal_ix(
        &self,
        trade: &TradeRef,
        party: &Pubkey,
        arbiter: &Pubkey,
        buyer_amount: u64,
    ) -> Instruction {
        ix(
            accs::AcceptProposal {
                party: *party,
                config: addresses::config(),
                payout: trade_payout(trade),
                buyer: trade.buyer,
                arbiter: addresses::arbiter(arbiter),
                fee_vault: fee_vault(&trade.offer.mint),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::AcceptProposal {
                args: AcceptProposalArgs { buyer_amount },
            },
        )
    }

    /// `set_arbiter_room_key` signed by `signer`, naming the arbiter account of `arbiter`.
    pub fn set_arbiter_room_key_ix(
        &self,
        signer: &Pubkey,
        arbiter: &Pubkey,
        room_key: RoomKey,
    ) -> Instruction {
        ix(
            accs::SetArbiterRoomKey {
                authority: *signer,
                arbiter: addresses::arbiter(arbiter),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::SetArbiterRoomKey {
                args: SetArbiterRoomKeyArgs { room_key },
            },
        )
    }

    pub fn submit_evidence_ix(
        &self,
        trade: &TradeRef,
        party: &Pubkey,
        evidence_hash: [u8; 32],
        uri: &str,
    ) -> Instruction {
        ix(
            accs::SubmitEvidence {
                party: *party,
                trade: trade.address,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::SubmitEvidence {
                evidence_hash,
                uri: uri.to_string(),
            },
        )
    }

    /// `rule` signed by `signer`, naming the arbiter account of `arbiter`.
    pub fn rule_ix(
        &self,
        trade: &TradeRef,
        signer: &Pubkey,
        arbiter: &Pubkey,
        buyer_bps: u16,
    ) -> Instruction {
        ix(
            accs::Rule {
                arbiter_authority: *signer,
                arbiter: addresses::arbiter(arbiter),
                arbiter_token_account: trade.offer.mint.ata(signer),
                payout: trade_payout(trade),
                buyer: trade.buyer,
                seller: trade.offer.seller,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Rule { buyer_bps },
        )
    }

    pub fn settle_ix(&self, trade: &TradeRef, arbiter: &Pubkey, buyer_bps: u16) -> Instruction {
        ix(
            accs::Settle {
                buyer: trade.buyer,
                seller: trade.offer.seller,
                arbiter: addresses::arbiter(arbiter),
                payout: trade_payout(trade),
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Settle { buyer_bps },
        )
    }

    /// `escalate` cranked by `cranker` for a dispute now with `arbiter`, naming the trade's
    /// fallback arbiter when the dispute goes to it (the first escalation).
    pub fn escalate_ix(&self, trade: &TradeRef, cranker: &Pubkey, arbiter: &Pubkey) -> Instruction {
        ix(
            accs::Escalate {
                cranker: *cranker,
                arbiter: addresses::arbiter(arbiter),
                fallback_arbiter: trade
                    .fallback
                    .filter(|fallback| fallback != arbiter)
                    .map(|fallback| addresses::arbiter(&fallback)),
                payout: trade_payout(trade),
                buyer: trade.buyer,
                seller: trade.offer.seller,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::Escalate {},
        )
    }

    pub fn release_with_attestation_ix(&self, trade: &TradeRef, relayer: &Pubkey) -> Instruction {
        ix(
            accs::ReleaseWithAttestation {
                relayer: *relayer,
                config: addresses::config(),
                payout: trade_payout(trade),
                buyer: trade.buyer,
                fee_vault: fee_vault(&trade.offer.mint),
                instructions_sysvar: solana_sdk_ids::sysvar::instructions::ID,
                event_authority: addresses::event_authority(),
                program: p2p_escrow::ID,
            },
            ixs::ReleaseWithAttestation {},
        )
    }

    /// What a trade's attestor signs, as the chain holds the trade now: the domain and the
    /// attestation message's digest.
    pub async fn attestation_payload(&self, trade: &TradeRef) -> Vec<u8> {
        p2p_escrow::attestation::attestation_payload(&trade.address, &self.trade(trade).await)
            .to_vec()
    }
}

/// `take_offer`'s arguments for a buyer who saw `terms`.
pub fn take_args(trade: &TradeRef, amount: u64, terms: &TakeTerms) -> TakeOfferArgs {
    TakeOfferArgs {
        trade_id: trade.trade_id,
        amount,
        expected_terms_hash: terms.hash().expect("the terms serialize"),
        room_key: room_key(&trade.buyer),
    }
}

/// A stand-in for `owner`'s X25519 room key (the program checks only that it is not all zero;
/// the clients derive real ones from wallet signatures).
pub fn room_key(owner: &Pubkey) -> RoomKey {
    let digest = sha256(&[b"test room key".as_slice(), owner.as_ref()].concat());
    digest.try_into().expect("a SHA-256 digest is 32 bytes")
}

/// The accounts every payout of `trade` takes (`TradePayout`, composed into `release`,
/// `release_with_attestation`, `rule`, `settle` and `escalate`).
pub fn trade_payout(trade: &TradeRef) -> accs::TradePayout {
    let mint = &trade.offer.mint;
    accs::TradePayout {
        offer: trade.offer.address,
        trade: trade.address,
        buyer_token_account: mint.ata(&trade.buyer),
        holding: trade.holding(),
        vault: trade.offer.vault,
        mint: mint.address,
        token_program: mint.token_program,
        memo_program: MEMO_PROGRAM,
        associated_token_program: spl_associated_token_account_interface::program::ID,
        system_program: solana_sdk_ids::system_program::ID,
    }
}

/// The accounts of the ends without a payout (`TradeUnwind`, composed into `cancel_trade` and
/// `expire_trade`).
pub fn trade_unwind(trade: &TradeRef) -> accs::TradeUnwind {
    accs::TradeUnwind {
        offer: trade.offer.address,
        trade: trade.address,
        vault: trade.offer.vault,
    }
}

/// A trade's attestation message as `docs/protocol.md` lays it out byte by byte (format v2; the
/// attestor signs `payload_of` it): domain, program id, trade, buyer, mint, amount (u64 LE),
/// payment reference hash.
pub fn attestation_message(trade_address: &Pubkey, trade: &p2p_escrow::state::Trade) -> Vec<u8> {
    [
        p2p_escrow::constants::ATTESTATION_DOMAIN,
        p2p_escrow::ID.as_ref(),
        trade_address.as_ref(),
        trade.buyer.as_ref(),
        trade.mint.as_ref(),
        &trade.amount.to_le_bytes(),
        &trade.payment_ref_hash,
    ]
    .concat()
}

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> Vec<u8> {
    solana_sha256_hasher::hash(bytes).to_bytes().to_vec()
}

/// What an attestor signs for an attestation message: the v2 domain, then the message's SHA-256.
pub fn payload_of(message: &[u8]) -> Vec<u8> {
    [p2p_escrow::constants::ATTESTATION_DOMAIN, &sha256(message)].concat()
}

/// The Ed25519 program instruction carrying `signer`'s signature over `message`, with every offset
/// pointing into its own data.
pub fn ed25519_ix(signer: &Keypair, message: &[u8]) -> Instruction {
    let signature = signer.sign_message(message);
    let signature: [u8; 64] = signature.as_ref().try_into().expect("64-byte signature");
    solana_ed25519_program::new_ed25519_instruction_with_signature(
        message,
        &signature,
        &signer.pubkey().to_bytes(),
    )
}

/// Replaces one account of an instruction, found by its address, with another.
pub fn substitute(mut instruction: Instruction, from: &Pubkey, to: &Pubkey) -> Instruction {
    let mut found = false;
    for meta in instruction
        .accounts
        .iter_mut()
        .filter(|m| m.pubkey == *from)
    {
        meta.pubkey = *to;
        found = true;
    }
    assert!(found, "account {from} is not in the instruction");
    instruction
}

/// Drops the signer flag of one account of an instruction (a missing signature).
pub fn unsign(mut instruction: Instruction, key: &Pubkey) -> Instruction {
    for meta in instruction.accounts.iter_mut() {
        if meta.pubkey == *key {
            *meta = AccountMeta {
                pubkey: meta.pubkey,
                is_signer: false,
                is_writable: meta.is_writable,
            };
        }
    }
    instruction
}
