//! Every token movement of the program: the mint policy, and transfers into, out of and the closing
//! of an offer's vault. SPL Token and Token-2022 alike, through `transfer_checked` only.

use anchor_lang::prelude::*;
use anchor_spl::memo::{build_memo, BuildMemo, Memo};
use anchor_spl::token_2022::spl_token_2022::{
    extension::{
        default_account_state::DefaultAccountState, memo_transfer::MemoTransfer,
        transfer_fee::TransferFeeAmount, BaseStateWithExtensions, ExtensionType,
        StateWithExtensions,
    },
    state::{Account as TokenAccountState, AccountState, Mint as MintState},
};
use anchor_spl::token_interface::{
    close_account, harvest_withheld_tokens_to_mint, transfer_checked, CloseAccount,
    HarvestWithheldTokensToMint, Mint, TokenAccount, TokenInterface, TransferChecked,
};

use crate::constants::OFFER_SEED;
use crate::errors::EscrowError;
use crate::state::Offer;

/// Refuses mints whose extensions would let someone other than the program move, freeze or block
/// the vault's tokens. Transfer-fee mints are allowed.
pub fn check_mint_policy(mint: &AccountInfo) -> Result<()> {
    let data = mint.try_borrow_data()?;
    let mint = StateWithExtensions::<MintState>::unpack(&data)?;
    for extension in mint.get_extension_types()? {
        match extension {
            ExtensionType::PermanentDelegate => return err!(EscrowError::MintHasPermanentDelegate),
            ExtensionType::NonTransferable => return err!(EscrowError::MintNonTransferable),
            ExtensionType::Pausable => return err!(EscrowError::MintPausable),
            ExtensionType::TransferHook => return err!(EscrowError::MintHasTransferHook),
            ExtensionType::DefaultAccountState => {
                let default_state = mint.get_extension::<DefaultAccountState>()?;
                if default_state.state == AccountState::Frozen as u8 {
                    return err!(EscrowError::MintDefaultFrozen);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The balance of a token account, read from its data as it is now (after any CPI).
pub fn balance_of(token_account: &AccountInfo) -> Result<u64> {
    let data = token_account.try_borrow_data()?;
    Ok(StateWithExtensions::<TokenAccountState>::unpack(&data)?
        .base
        .amount)
}

/// Moves `amount` from `from` (signed by `authority`) into an offer's vault and returns what the
/// vault received, which is less than `amount` for a mint with a transfer fee.
pub fn receive_into_vault<'info>(
    vault: &InterfaceAccount<'info, TokenAccount>,
    mint: &InterfaceAccount<'info, Mint>,
    token_program: &Interface<'info, TokenInterface>,
    from: &InterfaceAccount<'info, TokenAccount>,
    authority: &Signer<'info>,
    amount: u64,
) -> Result<u64> {
    require!(amount > 0, EscrowError::ZeroAmount);
    let before = balance_of(&vault.to_account_info())?;
    transfer_checked(
        CpiContext::new(
            token_program.key(),
            TransferChecked {
                from: from.to_account_info(),
                mint: mint.to_account_info(),
                to: vault.to_account_info(),
                authority: authority.to_account_info(),
            },
        ),
        amount,
        mint.decimals,
    )?;
    let received = balance_of(&vault.to_account_info())?
        .checked_sub(before)
        .ok_or(EscrowError::MathOverflow)?;
    require!(received > 0, EscrowError::NothingReceived);
    Ok(received)
}

/// Whether a token account requires a memo before every incoming transfer.
fn requires_memo(token_account: &AccountInfo) -> Result<bool> {
    let data = token_account.try_borrow_data()?;
    let account = StateWithExtensions::<TokenAccountState>::unpack(&data)?;
    Ok(account
        .get_extension::<MemoTransfer>()
        .is_ok_and(|memo| bool::from(memo.require_incoming_transfer_memos)))
}

/// An offer's vault with what paying out of it needs.
pub struct Vault<'a, 'info> {
    /// The offer that owns the vault and signs for it.
    pub offer: &'a Account<'info, Offer>,
    /// The vault itself.
    pub vault: &'a InterfaceAccount<'info, TokenAccount>,
    /// The offer's mint.
    pub mint: &'a InterfaceAccount<'info, Mint>,
    /// The mint's token program.
    pub token_program: &'a Interface<'info, TokenInterface>,
    /// The memo program, for recipients that require a memo on incoming transfers.
    pub memo_program: &'a Program<'info, Memo>,
}

impl<'info> Vault<'_, 'info> {
    /// Pays `amount` out of the vault to the token account `to`. Nothing happens for zero. A
    /// recipient that requires memos on incoming transfers gets one first, so that no recipient
    /// can make a payout (and with it a release, a ruling or a close) fail.
    pub fn pay(&self, to: &InterfaceAccount<'info, TokenAccount>, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        if requires_memo(&to.to_account_info())? {
            build_memo(
                CpiContext::new(self.memo_program.key(), BuildMemo {}),
                b"p2p-escrow payout",
            )?;
        }
        self.signed_by_offer(|signer| {
            transfer_checked(
                CpiContext::new_with_signer(
                    self.token_program.key(),
                    TransferChecked {
                        from: self.vault.to_account_info(),
                        mint: self.mint.to_account_info(),
                        to: to.to_account_info(),
                        authority: self.offer.to_account_info(),
                    },
                    signer,
                ),
                amount,
                self.mint.decimals,
            )
        })
    }

    /// Pays everything left in the vault to `to`, harvests any withheld transfer fees to the mint
    /// (a Token-2022 account holding them cannot close), and closes the vault, its rent going to
    /// `rent_receiver`. Returns the tokens paid out.
    pub fn close(
        &self,
        to: &InterfaceAccount<'info, TokenAccount>,
        rent_receiver: &AccountInfo<'info>,
    ) -> Result<u64> {
        let remaining = balance_of(&self.vault.to_account_info())?;
        self.pay(to, remaining)?;
        if self.withheld_fees()? > 0 {
            harvest_withheld_tokens_to_mint(
                CpiContext::new(
                    self.token_program.key(),
                    HarvestWithheldTokensToMint {
                        token_program_id: self.token_program.to_account_info(),
                        mint: self.mint.to_account_info(),
                    },
                ),
                vec![self.vault.to_account_info()],
            )?;
        }
        self.signed_by_offer(|signer| {
            close_account(CpiContext::new_with_signer(
                self.token_program.key(),
                CloseAccount {
                    account: self.vault.to_account_info(),
                    destination: rent_receiver.clone(),
                    authority: self.offer.to_account_info(),
                },
                signer,
            ))
        })?;
        Ok(remaining)
    }

    /// Runs a CPI with the offer's address seeds, so the offer signs as the vault's owner.
    fn signed_by_offer(&self, cpi: impl FnOnce(&[&[&[u8]]]) -> Result<()>) -> Result<()> {
        let offer_id = self.offer.offer_id.to_le_bytes();
        let bump = [self.offer.bump];
        let seeds: &[&[u8]] = &[OFFER_SEED, self.offer.seller.as_ref(), &offer_id, &bump];
        cpi(&[seeds])
    }

    /// Transfer fees withheld in the vault, waiting to be harvested.
    fn withheld_fees(&self) -> Result<u64> {
        let info = self.vault.to_account_info();
        let data = info.try_borrow_data()?;
        let account = StateWithExtensions::<TokenAccountState>::unpack(&data)?;
        Ok(account
            .get_extension::<TransferFeeAmount>()
            .map(|fees| u64::from(fees.withheld_amount))
            .unwrap_or(0))
    }
}
