//! Every token and lamport movement of the program: the mint policy, transfers into and out of the
//! token accounts the program owns (an offer's vault, a trade's holding account, a mint's fee
//! vault), closing them, and the checks that decide whether a recipient can receive a payout at
//! all. SPL Token and Token-2022 alike, through `transfer_checked` only.

use anchor_lang::prelude::*;
use anchor_spl::associated_token::{create_idempotent, Create};
use anchor_spl::memo::{build_memo, BuildMemo};
use anchor_spl::token_2022::spl_token_2022::{
    extension::{
        confidential_transfer::ConfidentialTransferAccount,
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

use crate::errors::EscrowError;

/// Refuses mints whose extensions would let someone other than the program move, freeze or block
/// escrowed tokens, or that an issuer could later change to block payouts. Checked wherever tokens
/// enter escrow (`create_offer`, `deposit`) and at every take. Refused: a permanent delegate,
/// non-transferable, pausable, a transfer hook, a close authority (a mint closed at zero supply
/// could come back at the same address with other extensions, which accounts created under the
/// first one lack, and would strand every account that needs the mint to close), and a default
/// account state unless it is "initialized" with no freeze authority to switch it (a switch to
/// "frozen" would make every token account created for a payout frozen). Extensions cannot be
/// added to an existing mint, so what passes here stays as it is. Allowed: transfer fees (the fee
/// authority can raise them, which reduces what every recipient gets; see
/// `docs/threat-model.md`).
pub fn check_mint_policy(mint: &AccountInfo) -> Result<()> {
    let data = mint.try_borrow_data()?;
    let mint = StateWithExtensions::<MintState>::unpack(&data)?;
    for extension in mint.get_extension_types()? {
        match extension {
            ExtensionType::PermanentDelegate => return err!(EscrowError::MintHasPermanentDelegate),
            ExtensionType::NonTransferable => return err!(EscrowError::MintNonTransferable),
            ExtensionType::Pausable => return err!(EscrowError::MintPausable),
            ExtensionType::TransferHook => return err!(EscrowError::MintHasTransferHook),
            ExtensionType::MintCloseAuthority => return err!(EscrowError::MintClosable),
            ExtensionType::DefaultAccountState => {
                let default_state = mint.get_extension::<DefaultAccountState>()?;
                require!(
                    default_state.state == AccountState::Initialized as u8,
                    EscrowError::MintDefaultFrozen
                );
                require!(
                    mint.base.freeze_authority.is_none(),
                    EscrowError::MintDefaultStateChangeable
                );
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

/// Whether `token_account` can take a transfer of `mint` for `owner` now: a token account of
/// `token_program`, of that mint, owned by `owner` (a legacy SPL Token account's owner can be
/// changed), not frozen, and accepting plain transfers (a Token-2022 account can refuse them in
/// favour of confidential ones). A memo requirement does not count: payouts write one.
pub fn can_receive_tokens(
    token_account: &AccountInfo,
    mint: &Pubkey,
    owner: &Pubkey,
    token_program: &Pubkey,
) -> bool {
    if token_account.owner != token_program {
        return false;
    }
    let Ok(data) = token_account.try_borrow_data() else {
        return false;
    };
    let Ok(account) = StateWithExtensions::<TokenAccountState>::unpack(&data) else {
        return false;
    };
    let plain_credits = account
        .get_extension::<ConfidentialTransferAccount>()
        .map_or(true, |confidential| {
            bool::from(confidential.allow_non_confidential_credits)
        });
    account.base.mint == *mint
        && account.base.owner == *owner
        && account.base.state == AccountState::Initialized
        && plain_credits
}

/// Whether crediting `amount` lamports to `account` cannot make the transaction fail: the runtime
/// refuses to change an executable account's balance and to leave an account with some lamports
/// but fewer than rent exemption for its size (a wallet can allocate data to itself).
pub fn can_receive_lamports(account: &AccountInfo, amount: u64) -> Result<bool> {
    if account.executable {
        return Ok(false);
    }
    let after = account
        .lamports()
        .checked_add(amount)
        .ok_or(EscrowError::MathOverflow)?;
    Ok(Rent::get()?.is_exempt(after, account.data_len()))
}

/// Moves `amount` lamports out of an account the program owns into `to`.
pub fn move_lamports(from: &AccountInfo, to: &AccountInfo, amount: u64) -> Result<()> {
    if amount > 0 {
        from.sub_lamports(amount)?;
        to.add_lamports(amount)?;
    }
    Ok(())
}

/// Creates the associated token account `account` of `owner` for `mint` if it does not exist yet,
/// `payer` funding it. Does nothing for an existing account (whatever its state).
pub fn ensure_associated_token_account<'info>(
    account: &AccountInfo<'info>,
    owner: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    payer: &AccountInfo<'info>,
    token_program: &AccountInfo<'info>,
    associated_token_program: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
) -> Result<()> {
    if account.owner != &System::id() || !account.data_is_empty() {
        return Ok(());
    }
    create_idempotent(CpiContext::new(
        associated_token_program.key(),
        Create {
            payer: payer.clone(),
            associated_token: account.clone(),
            authority: owner.clone(),
            mint: mint.clone(),
            system_program: system_program.clone(),
            token_program: token_program.clone(),
        },
    ))
}

/// A token account the program owns through a PDA (an offer's vault, a trade's holding account,
/// a mint's fee vault), with what paying out of it needs.
pub struct ProgramTokenAccount<'a, 'info> {
    /// The token account.
    pub account: AccountInfo<'info>,
    /// The PDA that owns it.
    pub authority: AccountInfo<'info>,
    /// The PDA's seeds, bump included.
    pub seeds: &'a [&'a [u8]],
    /// The mint.
    pub mint: &'a InterfaceAccount<'info, Mint>,
    /// The mint's token program.
    pub token_program: AccountInfo<'info>,
    /// The memo program, for recipients that require a memo on incoming transfers.
    pub memo_program: AccountInfo<'info>,
}

impl<'info> ProgramTokenAccount<'_, 'info> {
    /// Pays `amount` to the token account `to` and returns what `to` received (less than `amount`
    /// for a mint with a transfer fee). Nothing happens for zero. A recipient that requires memos
    /// on incoming transfers gets one first.
    pub fn pay(&self, to: &AccountInfo<'info>, amount: u64) -> Result<u64> {
        if amount == 0 {
            return Ok(0);
        }
        if requires_memo(to)? {
            build_memo(
                CpiContext::new(self.memo_program.key(), BuildMemo {}),
                b"p2p-escrow payout",
            )?;
        }
        let before = balance_of(to)?;
        transfer_checked(
            CpiContext::new_with_signer(
                self.token_program.key(),
                TransferChecked {
                    from: self.account.clone(),
                    mint: self.mint.to_account_info(),
                    to: to.clone(),
                    authority: self.authority.clone(),
                },
                &[self.seeds],
            ),
            amount,
            self.mint.decimals,
        )?;
        balance_of(to)?
            .checked_sub(before)
            .ok_or_else(|| error!(EscrowError::MathOverflow))
    }

    /// Pays everything left to `to`, harvests any withheld transfer fees to the mint (a
    /// Token-2022 account holding them cannot close), and closes the account, its rent going to
    /// `rent_receiver`. Returns the tokens paid out.
    pub fn close(
        &self,
        to: Option<&AccountInfo<'info>>,
        rent_receiver: &AccountInfo<'info>,
    ) -> Result<u64> {
        let remaining = balance_of(&self.account)?;
        if remaining > 0 {
            let to = to.ok_or(EscrowError::DestinationMissing)?;
            self.pay(to, remaining)?;
        }
        if self.withheld_fees()? > 0 {
            harvest_withheld_tokens_to_mint(
                CpiContext::new(
                    self.token_program.key(),
                    HarvestWithheldTokensToMint {
                        token_program_id: self.token_program.clone(),
                        mint: self.mint.to_account_info(),
                    },
                ),
                vec![self.account.clone()],
            )?;
        }
        close_account(CpiContext::new_with_signer(
            self.token_program.key(),
            CloseAccount {
                account: self.account.clone(),
                destination: rent_receiver.clone(),
                authority: self.authority.clone(),
            },
            &[self.seeds],
        ))?;
        Ok(remaining)
    }

    /// Transfer fees withheld in the account, waiting to be harvested.
    fn withheld_fees(&self) -> Result<u64> {
        let data = self.account.try_borrow_data()?;
        let account = StateWithExtensions::<TokenAccountState>::unpack(&data)?;
        Ok(account
            .get_extension::<TransferFeeAmount>()
            .map(|fees| u64::from(fees.withheld_amount))
            .unwrap_or(0))
    }
}
