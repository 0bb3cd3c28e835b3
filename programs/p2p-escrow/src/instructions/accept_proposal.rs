use anchor_lang::prelude::*;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;

use crate::constants::{ARBITER_SEED, CONFIG_SEED};
use crate::errors::EscrowError;
use crate::events::ProposalAccepted;
// Glob: the accounts derive also needs the composite's generated client module and bumps.
use crate::instructions::trade_payout::*;
use crate::state::{Arbiter, Config, TradeState};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct AcceptProposalArgs {
    /// The buyer's amount of the proposal being accepted (base units): if the proposal on the
    /// trade says otherwise now, nothing happens (`ProposalChanged`).
    pub buyer_amount: u64,
}

#[event_cpi]
#[derive(Accounts)]
pub struct AcceptProposal<'info> {
    /// The party who did not propose; pays for missing token accounts.
    #[account(mut)]
    pub party: Signer<'info>,
    /// The protocol config, owner of the fee vaults.
    #[account(seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, Config>>,
    /// The trade, its offer, and the token accounts that pay it out.
    pub payout: TradePayout<'info>,
    /// CHECK: the trade's buyer (address checked); only receives the trade's rent and bond, so any
    /// account will do.
    #[account(mut, address = payout.trade.buyer @ EscrowError::NotBuyer)]
    pub buyer: UncheckedAccount<'info>,
    /// The arbiter in charge of the trade (its dispute's arbiter once disputed); accepting a
    /// proposal for a disputed trade closes the arbiter's case, without a fee.
    #[account(mut, seeds = [ARBITER_SEED, arbiter.authority.as_ref()], bump = arbiter.bump)]
    pub arbiter: Box<Account<'info, Arbiter>>,
    /// CHECK: the mint's fee vault, the config's associated token account (address checked),
    /// receiving the protocol fee of the buyer's share; created if missing and there is a fee.
    #[account(
        mut,
        address = get_associated_token_address_with_program_id(&config.key(), &payout.mint.key(), &payout.token_program.key())
            @ EscrowError::FeeVaultMismatch,
    )]
    pub fee_vault: UncheckedAccount<'info>,
}

impl AcceptProposal<'_> {
    pub fn validate(&self, args: &AcceptProposalArgs) -> Result<()> {
        let trade = &self.payout.trade;
        let party = self.party.key();
        trade.may_negotiate(party)?;
        let proposal = trade.proposal.as_ref().ok_or(EscrowError::NoProposal)?;
        require_keys_neq!(proposal.proposed_by, party, EscrowError::OwnProposal);
        require!(
            proposal.buyer_amount == args.buyer_amount,
            EscrowError::ProposalChanged
        );
        require_keys_eq!(
            self.arbiter.authority,
            trade.arbiter_in_charge(),
            EscrowError::ArbiterMismatch
        );
        Ok(())
    }

    pub fn handler(ctx: Context<'_, Self>, args: AcceptProposalArgs) -> Result<()> {
        let accounts = &mut *ctx.accounts;
        let trade = &accounts.payout.trade;
        let proposed_by = trade
            .proposal
            .as_ref()
            .ok_or(EscrowError::NoProposal)?
            .proposed_by;
        let (trade_key, offer, seller, buyer) =
            (trade.key(), trade.offer, trade.seller, trade.buyer);
        if trade.state == TradeState::Disputed {
            accounts.arbiter.close_case()?;
        }
        let payout = accounts.payout.pay_out(
            accounts.buyer.to_account_info(),
            accounts.party.to_account_info(),
            &accounts.fee_vault.to_account_info(),
            &accounts.config.to_account_info(),
            args.buyer_amount,
        )?;
        let event = ProposalAccepted {
            trade: trade_key,
            offer,
            seller,
            buyer,
            proposed_by,
            accepted_by: accounts.party.key(),
            to_buyer: payout.to_buyer,
            protocol_fee: payout.protocol_fee,
            to_seller: payout.to_seller,
            bond_returned: payout.bond_returned,
        };
        emit_cpi!(event);
        if let Some(held) = payout.held {
            emit_cpi!(held);
        }
        Ok(())
    }
}
