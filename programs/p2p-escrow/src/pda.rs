//! Creating the program's accounts at their PDAs. Every PDA address is predictable, so anyone can
//! send lamports to one before it is created; creation must still succeed then, or a stranger
//! could block a config, an arbiter, an offer id or an offer's next trade for the price of a
//! transfer. (Anchor's `init` relies on the system program's `CreateAccountAllowPrefund` for such
//! addresses, which not every runtime has.)

use anchor_lang::prelude::*;
use anchor_lang::system_program::{
    allocate, assign, create_account, transfer, Allocate, Assign, CreateAccount, Transfer,
};

use crate::errors::EscrowError;

/// Creates the program-owned account `target` at the PDA signed by `seeds`, sized for `T` (its
/// discriminator and `InitSpace`), with `payer` funding its rent (only the part a pre-funding did
/// not cover), and writes `value` into it. Refuses an address that is already an account of any
/// program.
pub fn create_pda_account<'info, T: AccountSerialize + Discriminator + Space>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    seeds: &[&[u8]],
    value: &T,
) -> Result<()> {
    let space = T::DISCRIMINATOR
        .len()
        .checked_add(T::INIT_SPACE)
        .ok_or(EscrowError::MathOverflow)?;
    let size = u64::try_from(space).map_err(|_| error!(EscrowError::MathOverflow))?;
    require!(
        target.owner == &System::id() && target.data_is_empty(),
        EscrowError::AccountInUse
    );
    let rent = Rent::get()?.minimum_balance(space);
    let funded = target.lamports();
    let system_program = system_program.key();
    if funded == 0 {
        create_account(
            CpiContext::new_with_signer(
                system_program,
                CreateAccount {
                    from: payer.clone(),
                    to: target.clone(),
                },
                &[seeds],
            ),
            rent,
            size,
            &crate::ID,
        )?;
    } else {
        let top_up = rent.saturating_sub(funded);
        if top_up > 0 {
            transfer(
                CpiContext::new(
                    system_program,
                    Transfer {
                        from: payer.clone(),
                        to: target.clone(),
                    },
                ),
                top_up,
            )?;
        }
        allocate(
            CpiContext::new_with_signer(
                system_program,
                Allocate {
                    account_to_allocate: target.clone(),
                },
                &[seeds],
            ),
            size,
        )?;
        assign(
            CpiContext::new_with_signer(
                system_program,
                Assign {
                    account_to_assign: target.clone(),
                },
                &[seeds],
            ),
            &crate::ID,
        )?;
    }
    let mut data = target.try_borrow_mut_data()?;
    value.try_serialize(&mut &mut data[..])
}

/// The seeds a program-derived account signs with: `[prefix, key, id (u64 LE), bump]`, as offers
/// (`["offer", seller, offer_id]`) and trades (`["trade", buyer, trade_id]`) have them.
pub struct SignerSeeds {
    prefix: &'static [u8],
    key: Pubkey,
    id: [u8; 8],
    bump: [u8; 1],
}

impl SignerSeeds {
    /// The seeds of the account at `[prefix, key, id]` with `bump`.
    pub fn new(prefix: &'static [u8], key: Pubkey, id: u64, bump: u8) -> SignerSeeds {
        SignerSeeds {
            prefix,
            key,
            id: id.to_le_bytes(),
            bump: [bump],
        }
    }

    /// The seeds as a CPI signer takes them.
    pub fn seeds(&self) -> [&[u8]; 4] {
        [self.prefix, self.key.as_ref(), &self.id, &self.bump]
    }
}
