/**
 * The web desk in headless Chromium (Debian's package, driven by playwright-core) against the
 * local chain, with each person's test wallet registered through the Wallet Standard: a seller
 * creates an offer, a buyer takes and marks paid, the seller releases; a second trade is disputed,
 * both sides submit evidence, and the arbiter rules a 70/30 split from the console. In the trade
 * room, two browser contexts (seller and buyer) and the arbiter's: the seller's open desk sends
 * its payment details, they chat (unread counts live), the buyer declares its payer and marks
 * paid, one trade ends by an accepted proposal, one by a ruling after the arbiter read the
 * disclosed room; a release before payment asks first. The test
 * checks what the pages show and the balances on chain, and saves screenshots of the offer book,
 * a trade timeline and the arbiter console to dist/screenshots (or P2P_SCREENSHOTS_DIR). A trade
 * of an offer naming a payment attestor is released, while the buyer watches, by the attestor
 * reading the bank's camt.054.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";

import type { Browser, Page } from "playwright-core";
import type { Address } from "@solana/kit";

import { Ledger, PaymentAttestor, type AttestorEvent } from "@p2p-escrow/attestor";
import {
  getOffer,
  getTrade,
  getTokenBalance,
  hashText,
  listOffers,
  OfferStatus,
  paymentReference,
} from "@p2p-escrow/sdk";
import { installTestWallet } from "./testWallet";
import {
  deliverStatement,
  launchChromium,
  notification,
  offerTerms,
  serveWebDesk,
  setFrozen,
  startDesk,
  TOKEN,
  type Desk,
  type Role,
  type WebDesk,
} from "@p2p-escrow/testing";

const webPackage = fileURLToPath(new URL("..", import.meta.url));
const screenshots = process.env.P2P_SCREENSHOTS_DIR ?? join(webPackage, "dist", "screenshots");

let desk: Desk;
let web: WebDesk;
let browser: Browser;
let site: string;

before(async () => {
  desk = await startDesk();
  web = await serveWebDesk();
  site = web.url(desk.chain.url);
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
  web?.close();
  await desk?.chain.stop();
});

/** A page of the desk in its own browser context, with `role`'s wallet installed and connected. */
async function open(role: Role, route: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const options = { secret: Array.from(desk.keyBytes[role]), name: "Test Wallet" };
  // tsx compiles with esbuild's keepNames, whose `__name` helper the page must have.
  await context.addInitScript({
    content: `var __name = (f) => f; (${installTestWallet.toString()})(${JSON.stringify(options)});`,
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`[${role} page] ${error.message}`));
  await page.goto(`${site}#${route}`);
  await page.getByRole("button", { name: "Connect Test Wallet" }).click();
  await page.getByTestId("connected").filter({ hasText: desk.keys[role].address }).waitFor();
  // The desk tells wallets the chain its RPC serves: a local chain's genesis is no public cluster.
  await page.getByTestId("rpc").filter({ hasText: "(solana:localnet)" }).waitFor();
  return page;
}

async function confirmed(page: Page, label: string): Promise<void> {
  await page
    .getByRole("status")
    .filter({ hasText: `${label}: confirmed` })
    .first()
    .waitFor({ timeout: 30_000 });
}

/** Takes `amount` of `offer` from the offer book and marks it paid (with the trade's own payment
 * reference unless `reference` is given). */
async function takeAndPay(
  buyer: Page,
  offer: Address,
  amount: string,
  reference?: string,
): Promise<Address> {
  await buyer.goto(`${site}#/`);
  const card = buyer.locator(`[data-offer="${offer}"]`);
  await card.waitFor();
  if ((await card.getByTestId("take-panel").count()) === 0) {
    await card.getByRole("button", { name: "Take…" }).click();
  }
  await card.locator('input[name="take-amount"]').fill(amount);
  await card.getByRole("button", { name: "Take at these terms" }).click();
  await buyer.waitForURL(/#\/trade\//, { timeout: 30_000 });
  const trade = buyer.url().split("#/trade/")[1] as Address;
  await buyer.getByTestId("trade-state").filter({ hasText: "locked" }).waitFor();
  await buyer.locator('input[name="payer"]').fill("Bo Buyer, DE02 1203 0000 0000 2020 51");
  if (reference !== undefined) await buyer.locator('input[name="reference"]').fill(reference);
  await buyer.getByRole("button", { name: "I have paid" }).click();
  await buyer.locator('[data-event="tradePaid"]').waitFor({ timeout: 30_000 });
  return trade;
}

test("a seller sells, a buyer buys, a dispute is ruled 70/30, all in the browser", async () => {
  const { keys, usd, rpc } = desk;

  // The seller creates an offer from the Sell page.
  const seller = await open("seller", "/sell");
  await seller.locator('input[name="mint"]').fill(usd.address);
  await seller.locator('input[name="amount"]').fill("1000");
  await seller.locator('select[name="arbiter"]').selectOption(keys.arbiter.address);
  await seller.locator('input[name="paymentTerms"]').fill("SEPA to DE89 3704 0044 0532 0130 00");
  // Buyers pay from the take: the payment instructions are the offer's own.
  await seller.locator('input[name="responseWindow"]').fill("0");
  await seller.getByRole("button", { name: "Create offer" }).click();
  await confirmed(seller, "Create offer");
  const card = seller.getByTestId("my-offer");
  await card.waitFor();
  await card.getByTestId("available").filter({ hasText: /^995$/ }).waitFor();
  const offer = (await card.getAttribute("data-offer")) as Address;

  // The buyer finds it in the offer book, sees the exact terms, and is refused above the maximum.
  const buyer = await open("buyer", "/");
  await buyer.locator('input[name="filter-amount"]').fill("100");
  const listed = buyer.locator(`[data-offer="${offer}"]`);
  await listed.waitFor();
  assert.match((await listed.textContent()) ?? "", /1.00 USD per token/);
  await buyer.locator('input[name="filter-amount"]').fill("");
  await listed.getByRole("button", { name: "Take…" }).click();
  await listed.locator('input[name="take-amount"]').fill("600");
  await listed.getByRole("button", { name: "Take at these terms" }).click();
  const refusal = buyer.getByRole("alert");
  await refusal.waitFor({ timeout: 30_000 });
  assert.match(
    (await refusal.textContent()) ?? "",
    /AmountAboveMaximum: The amount is above the offer's maximum trade amount/,
  );
  assert.doesNotMatch((await refusal.textContent()) ?? "", /0x/);
  await listed.locator('input[name="take-amount"]').fill("100");
  assert.match(
    (await listed.getByTestId("fiat-owed").textContent()) ?? "",
    /^100.00 USD within 30m$/,
  );

  // Take, pay, and the seller releases from the trade page.
  const first = await takeAndPay(buyer, offer, "100", "SEPA-0001");
  await seller.goto(`${site}#/trade/${first}`);
  await seller.getByRole("button", { name: "Release" }).click();
  await seller.locator('[data-event="tradeReleased"]').waitFor({ timeout: 30_000 });
  assert.equal(await seller.getByTestId("trade-state").textContent(), "closed");
  assert.equal(await getTokenBalance(rpc, keys.buyer.address, usd), 98_505_000n);

  // The book now shows the seller's completed trade; the take panel shows the enforced terms.
  await buyer.goto(`${site}#/trades`);
  await buyer.goto(`${site}#/`);
  const again = buyer.locator(`[data-offer="${offer}"]`);
  await again.filter({ hasText: "1 completed, 0 disputed" }).waitFor({ timeout: 30_000 });
  await again.getByRole("button", { name: "Take…" }).click();
  await again.locator('input[name="take-amount"]').fill("100");
  await again.getByTestId("take-terms").waitFor();
  await buyer.screenshot({ path: join(screenshots, "offer-book.png"), fullPage: true });

  // A second trade goes to dispute; both sides submit evidence hashed in the browser.
  const second = await takeAndPay(buyer, offer, "100", "SEPA-0002");
  await seller.goto(`${site}#/trade/${second}`);
  await seller.getByRole("button", { name: "Open dispute" }).click();
  await seller.locator('[data-event="disputeOpened"]').waitFor({ timeout: 30_000 });
  const evidenceDir = mkdtempSync(join(tmpdir(), "p2p-escrow-evidence-"));
  for (const [page, file, uri] of [
    [buyer, "receipt.txt", "https://evidence.example/buyer"],
    [seller, "statement.txt", "https://evidence.example/seller"],
  ] as const) {
    writeFileSync(join(evidenceDir, file), `${file}: payment evidence`);
    await page.goto(`${site}#/trade/${second}`);
    await page.locator('input[name="evidence-file"]').setInputFiles(join(evidenceDir, file));
    await page.locator('input[name="evidence-uri"]').fill(uri);
    await page.getByRole("button", { name: "Submit evidence" }).click();
    await confirmed(page, "Submit evidence");
  }
  await buyer.locator('[data-event="evidenceSubmitted"]').nth(1).waitFor({ timeout: 30_000 });
  // Nothing left for the buyer but to propose an ending.
  await buyer.getByTestId("proposals").waitFor();
  assert.equal(await buyer.getByTestId("actions").count(), 0, "no other action for the buyer");
  await buyer.screenshot({ path: join(screenshots, "trade-timeline.png"), fullPage: true });

  // The arbiter sees the case with both sides' evidence, previews 70/30, and rules.
  const arbiter = await open("arbiter", "/arbiter");
  const theCase = arbiter.locator(`[data-trade="${second}"]`);
  await theCase.waitFor({ timeout: 30_000 });
  assert.match(
    (await theCase.getByTestId("buyer-evidence").textContent()) ?? "",
    /https:\/\/evidence.example\/buyer/,
  );
  assert.match(
    (await theCase.getByTestId("seller-evidence").textContent()) ?? "",
    /https:\/\/evidence.example\/seller/,
  );
  await theCase.locator('input[name="split"]').fill("7000");
  assert.equal(await theCase.getByTestId("split-bps").textContent(), "70%");
  assert.equal(await theCase.getByTestId("preview-fee").textContent(), "2");
  assert.equal(await theCase.getByTestId("preview-buyer").textContent(), "68.6");
  assert.equal(await theCase.getByTestId("preview-seller").textContent(), "29.4");
  assert.equal(await theCase.getByTestId("preview-bond").textContent(), "to the buyer");
  await arbiter.screenshot({ path: join(screenshots, "arbiter-console.png"), fullPage: true });
  const buyerBefore = await getTokenBalance(rpc, keys.buyer.address, usd);
  await theCase.getByRole("button", { name: "Rule 70% to the buyer" }).click();
  await confirmed(arbiter, "Rule");
  assert.equal(await getTokenBalance(rpc, keys.buyer.address, usd), buyerBefore + 67_914_000n);
  assert.equal(await getTokenBalance(rpc, keys.arbiter.address, usd), 1_980_000n);
  await buyer.goto(`${site}#/trade/${second}`);
  await buyer.locator('[data-event="disputeResolved"]').waitFor({ timeout: 30_000 });
  assert.match(
    (await buyer.locator('[data-event="disputeResolved"]').textContent()) ?? "",
    /Resolved \(ruling\): 70% to the buyer, 68.6 \/ 29.4, arbiter fee 2/,
  );
});

test("the trade room: details, chat, payer, a proposal accepted, a disclosed dispute ruled", async () => {
  const { keys, usd, rpc } = desk;
  const details = "IBAN DE89 3704 0044 0532 0130 00, Seller GmbH";

  // The seller offers with SEPA as payment method (a response window needs a named method).
  const seller = await open("seller", "/sell");
  await seller.locator('input[name="mint"]').fill(usd.address);
  await seller.locator('input[name="amount"]').fill("500");
  await seller.locator('select[name="arbiter"]').selectOption(keys.arbiter.address);
  await seller.getByRole("button", { name: "Create offer" }).click();
  await seller.getByText("name the payment method").waitFor();
  await seller.locator('input[name="paymentTerms"]').fill("SEPA");
  await seller.getByRole("button", { name: "Create offer" }).click();
  await confirmed(seller, "Create offer");
  // The new card: 500 locked in, 495 after the mint's 1% transfer fee.
  const ours = seller
    .getByTestId("my-offer")
    .filter({ has: seller.getByTestId("available").filter({ hasText: /^495$/ }) });
  const offer = (await ours.getAttribute("data-offer", { timeout: 30_000 })) as Address;
  const created = await getOffer(rpc, offer);
  assert.deepEqual(created.terms.paymentTermsHash, await hashText("SEPA"), "its method is SEPA");
  assert.equal(created.terms.responseWindow, 900n, "the Sell page's response window: 15m");

  // The buyer takes; it pays only once the details arrive. The seller has none saved yet, so its
  // desk says so, and the seller sends them from the trade page.
  const buyer = await open("buyer2", "/");
  const take = async (amount: string): Promise<Address> => {
    await buyer.goto(`${site}#/`);
    const card = buyer.locator(`[data-offer="${offer}"]`);
    await card.waitFor();
    if ((await card.getByTestId("take-panel").count()) === 0) {
      await card.getByRole("button", { name: "Take…" }).click();
    }
    await card.locator('input[name="take-amount"]').fill(amount);
    await card.getByRole("button", { name: "Take at these terms" }).click();
    await buyer.waitForURL(/#\/trade\//, { timeout: 30_000 });
    return buyer.url().split("#/trade/")[1] as Address;
  };
  const first = await take("100");
  await buyer.getByTestId("waiting-details").waitFor();
  await buyer.getByTestId("pay-after-details").waitFor();
  await seller
    .locator(`[data-testid="details-sent"][data-trade="${first}"]`)
    .filter({ hasText: "no saved payment details match" })
    .waitFor({ timeout: 30_000 });
  await seller.goto(`${site}#/trade/${first}`);
  await seller.locator('textarea[name="payment-details"]').fill(details);
  await seller.getByRole("button", { name: "Send payment details" }).click();
  await confirmed(seller, "Send payment details");
  await buyer
    .getByTestId("payment-details")
    .filter({ hasText: details })
    .waitFor({ timeout: 30_000 });
  assert.match(
    (await buyer.locator(".payment-details").textContent()) ?? "",
    /^Pay 100.00 USD to:/,
  );
  assert.equal(await buyer.getByTestId("payment-reference").textContent(), paymentReference(first));
  await buyer.locator('[data-event="paymentWindowStarted"]').waitFor({ timeout: 30_000 });
  assert.equal(
    await buyer.locator('input[name="reference"]').inputValue(),
    paymentReference(first),
    "the trade's reference is the mark's default",
  );

  // The seller keeps its SEPA details in its browser; its open desk answers the next takes.
  await seller.goto(`${site}#/sell`);
  await seller.locator('input[name="details-method"]').fill("SEPA");
  await seller.locator('textarea[name="details-text"]').fill(details);
  await seller.getByRole("button", { name: "Save details" }).click();
  await seller.getByTestId("saved-details").filter({ hasText: "SEPA" }).waitFor();

  // They chat; the seller's My trades counts the unread line, live, without a reload.
  await seller.goto(`${site}#/trades`);
  await buyer.locator('input[name="chat"]').fill("Paying now from my DE02 account");
  await buyer.getByRole("button", { name: "Send", exact: true }).click();
  await confirmed(buyer, "Send");
  const row = seller.locator(`[data-testid="my-trade"][data-trade="${first}"]`);
  await row.getByTestId("unread").filter({ hasText: "1 unread" }).waitFor({ timeout: 30_000 });
  await seller.screenshot({ path: join(screenshots, "my-trades-unread.png"), fullPage: true });
  await seller.goto(`${site}#/trade/${first}`);
  await seller
    .locator('[data-testid="line"][data-role="buyer"]')
    .filter({ hasText: "Paying now" })
    .waitFor({ timeout: 30_000 });
  await seller.locator('input[name="chat"]').fill("Thanks, watching my account");
  await seller.getByRole("button", { name: "Send", exact: true }).click();
  await buyer
    .locator('[data-testid="line"][data-role="seller"]')
    .filter({ hasText: "watching my account" })
    .waitFor({ timeout: 30_000 });

  // The buyer declares its payer and marks paid; the seller's page follows live.
  await buyer.locator('input[name="payer"]').fill("Bo Buyer, DE02 1203 0000 0000 2020 51");
  await buyer.locator('input[name="reference"]').fill("SEPA-0101");
  await buyer.getByRole("button", { name: "I have paid" }).click();
  await confirmed(buyer, "I have paid");
  await seller
    .locator('[data-testid="line"][data-kind="PayerDeclaration"]')
    .filter({ hasText: "Bo Buyer" })
    .waitFor({ timeout: 30_000 });
  await seller.getByTestId("trade-state").filter({ hasText: "paid" }).waitFor({ timeout: 30_000 });
  await buyer.screenshot({ path: join(screenshots, "trade-room.png"), fullPage: true });

  // Only 40.00 USD arrived: the seller proposes 40 tokens, previewed; the buyer accepts.
  await seller.locator('input[name="proposal-amount"]').fill("40");
  assert.match(
    (await seller.getByTestId("proposal-preview").textContent()) ?? "",
    /^39.8 to the buyer \(protocol fee 0.2\), 60 back to the offer, the bond \(0.01 SOL\) back to the buyer$/,
  );
  await seller.getByRole("button", { name: "Propose", exact: true }).click();
  await confirmed(seller, "Propose");
  const terms = buyer.getByTestId("proposal-terms");
  await terms.waitFor({ timeout: 30_000 });
  assert.match((await terms.textContent()) ?? "", /^39.8 to the buyer/);
  await buyer.screenshot({ path: join(screenshots, "proposal.png"), fullPage: true });
  const before = await getTokenBalance(rpc, keys.buyer2.address, usd);
  await buyer.getByRole("button", { name: "Accept this proposal" }).click();
  await buyer.locator('[data-event="proposalAccepted"]').waitFor({ timeout: 30_000 });
  assert.equal(await getTokenBalance(rpc, keys.buyer2.address, usd), before + 39_402_000n);
  assert.equal((await getOffer(rpc, offer)).locked, 0n);

  // A second trade is disputed; the arbiter sets its room key, the buyer discloses the room, the
  // arbiter reads every line with its author and time, writes to the buyer, and rules.
  const second = await take("50");
  await buyer
    .getByTestId("payment-details")
    .filter({ hasText: details })
    .waitFor({ timeout: 30_000 });
  await seller
    .locator(`[data-testid="details-sent"][data-trade="${second}"]`)
    .filter({ hasText: "sent your SEPA details" })
    .waitFor({ timeout: 30_000 });
  await buyer.locator('input[name="chat"]').fill("Sent 50.00 USD, reference SEPA-0102");
  await buyer.getByRole("button", { name: "Send", exact: true }).click();
  await confirmed(buyer, "Send");
  await buyer.locator('input[name="payer"]').fill("Bo Buyer, DE02 1203 0000 0000 2020 51");
  await buyer.locator('input[name="reference"]').fill("SEPA-0102");
  await buyer.getByRole("button", { name: "I have paid" }).click();
  await confirmed(buyer, "I have paid");
  await seller.goto(`${site}#/trade/${second}`);
  await seller.getByRole("button", { name: "Open dispute" }).click();
  await confirmed(seller, "Open dispute");
  const arbiter = await open("arbiter", "/arbiter");
  await arbiter.getByRole("button", { name: "Set my room key" }).click();
  await confirmed(arbiter, "Set room key");
  await buyer.getByRole("button", { name: "Disclose the room to the arbiter" }).click();
  await confirmed(buyer, "Disclose");
  const theCase = arbiter.locator(`[data-trade="${second}"]`);
  const said = theCase
    .locator('[data-testid="line"][data-role="buyer"]')
    .filter({ hasText: "Sent 50.00 USD" });
  await said.waitFor({ timeout: 30_000 });
  assert.match((await said.textContent()) ?? "", /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC buyer/);
  await theCase
    .locator('[data-testid="line"][data-kind="PaymentDetails"]')
    .filter({ hasText: details })
    .waitFor();
  await theCase.locator('input[name="note"]').fill("Please upload your bank statement");
  await theCase.getByRole("button", { name: "Send note" }).click();
  await confirmed(arbiter, "Send note");
  await arbiter.screenshot({ path: join(screenshots, "arbiter-transcript.png"), fullPage: true });
  await buyer
    .locator('[data-testid="line"][data-kind="ArbiterNote"]')
    .filter({ hasText: "bank statement" })
    .waitFor({ timeout: 30_000 });
  await theCase.locator('input[name="split"]').fill("10000");
  await theCase.getByRole("button", { name: "Rule 100% to the buyer" }).click();
  await confirmed(arbiter, "Rule");
  await buyer.locator('[data-event="disputeResolved"]').waitFor({ timeout: 30_000 });

  // Releasing before the buyer marked paid asks first, naming the risk.
  const third = await take("10");
  await seller.goto(`${site}#/trade/${third}`);
  await seller.getByTestId("trade-state").filter({ hasText: "locked" }).waitFor();
  let asked = "";
  seller.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await seller.getByRole("button", { name: "Release" }).click();
  assert.match(asked, /has not marked this trade paid.*cannot be undone/);
  assert.equal(await seller.getByTestId("trade-state").textContent(), "locked");
  seller.once("dialog", (dialog) => void dialog.accept());
  await seller.getByRole("button", { name: "Release" }).click();
  await seller.locator('[data-event="tradeReleased"]').waitFor({ timeout: 30_000 });
});

test("a payout the buyer's frozen account cannot take waits for the buyer, who claims it", async () => {
  const { client, keys, usd, rpc } = desk;
  const created = await client.createOffer(keys.seller, {
    mint: usd.address,
    amount: 200n * TOKEN,
    terms: await offerTerms(desk),
  });
  const buyer = await open("buyer2", "/");
  const trade = await takeAndPay(buyer, created.address!, "50", "SEPA-0003");

  // The mint's freeze authority freezes the buyer's account; the seller's release still ends the
  // trade, and the buyer's share waits on it.
  await setFrozen(desk, keys.buyer2.address, true);
  const seller = await open("seller", `/trade/${trade}`);
  await seller.getByRole("button", { name: "Release" }).click();
  await seller.locator('[data-event="payoutHeld"]').waitFor({ timeout: 30_000 });
  assert.equal(await seller.getByTestId("trade-state").textContent(), "settled");
  assert.equal(await seller.getByTestId("no-actions").count(), 1, "nothing left for the seller");
  assert.equal((await getOffer(rpc, created.address!)).locked, 0n);

  // Thawed, the buyer claims it from the trade page.
  await setFrozen(desk, keys.buyer2.address, false);
  const before = await getTokenBalance(rpc, keys.buyer2.address, usd);
  await buyer.goto(`${site}#/trade/${trade}`);
  await buyer.getByTestId("held").waitFor({ timeout: 30_000 });
  await buyer.screenshot({ path: join(screenshots, "trade-held.png"), fullPage: true });
  await buyer.getByRole("button", { name: "Claim what waits for you" }).click();
  await confirmed(buyer, "Claim");
  assert.ok((await getTokenBalance(rpc, keys.buyer2.address, usd)) > before);
});

test("a seller funds, pauses, resumes, withdraws from and closes an offer", async () => {
  const { keys, usd, rpc } = desk;
  const seller = await open("seller", "/sell");
  await seller.locator('input[name="mint"]').fill(usd.address);
  await seller.locator('input[name="amount"]').fill("200");
  await seller.locator('input[name="responseWindow"]').fill("0");
  await seller.locator('select[name="arbiter"]').selectOption(keys.arbiter.address);
  await seller.getByRole("button", { name: "Create offer" }).click();
  await confirmed(seller, "Create offer");
  const offers = await listOffers(rpc, { seller: keys.seller.address });
  const created = offers.find((o) => o.data.available === 198n * 1_000_000n);
  assert.ok(created, "the 200-token offer exists with 198 after the transfer fee");
  const card = seller.locator(`[data-offer="${created.address}"]`);
  await card.waitFor();
  const act = async (button: string, amount?: string) => {
    if (amount) await card.locator('input[name="offer-amount"]').fill(amount);
    await card.getByRole("button", { name: button, exact: true }).click();
    await confirmed(seller, button);
  };
  await act("Fund", "10");
  await card
    .getByTestId("available")
    .filter({ hasText: /^207\.9$/ })
    .waitFor();
  await act("Pause");
  await card.filter({ hasText: "paused" }).waitFor();
  assert.equal((await getOffer(rpc, created.address)).status, OfferStatus.Paused);
  await act("Resume");
  await act("Withdraw", "7.9");
  assert.equal((await getOffer(rpc, created.address)).available, 200n * 1_000_000n);
  await act("Close");
  await card.waitFor({ state: "detached" });
  assert.equal(
    (await listOffers(rpc, { seller: keys.seller.address })).some(
      (o) => o.address === created.address,
    ),
    false,
  );
});

test("the payment attestor releases a trade the buyer paid, on the bank's camt.054", async () => {
  const created = await desk.client.createOffer(desk.keys.seller, {
    mint: desk.usd.address,
    amount: 200n * TOKEN,
    terms: await offerTerms(desk, { attestor: desk.keys.attestor.address }),
  });
  const buyer = await open("buyer2", "/");
  const trade = await takeAndPay(buyer, created.address!, "40");
  const reference = paymentReference(trade);
  const instructions = buyer.getByTestId("payment-instructions");
  assert.equal(await instructions.getByTestId("trade-payment-reference").textContent(), reference);
  assert.match(
    (await instructions.getByTestId("attested-release").textContent()) ?? "",
    new RegExp(
      `payment attestor ${desk.keys.attestor.address} reads the seller's bank statements and releases the tokens once 40.00 USD with this reference is booked`,
    ),
  );

  await buyer.screenshot({ path: join(screenshots, "payment-attestor.png"), fullPage: true });

  // The seller's bank reports the credit; the attestor, reading its folder, signs and relays.
  const folder = mkdtempSync(join(tmpdir(), "p2p-escrow-bank-"));
  const taken = (await getTrade(desk.rpc, trade)).createdAt;
  const bookedAt = new Date(Number(taken + 60n) * 1000).toISOString();
  deliverStatement(folder, "camt054.xml", notification(reference, { amount: "40.00", bookedAt }));
  const events: AttestorEvent[] = [];
  const ledger = new Ledger(":memory:");
  const attestor = new PaymentAttestor({
    rpc: desk.rpc,
    client: desk.client,
    signer: desk.keys.attestor,
    folder,
    ledger,
    report: (event) => events.push(event),
  });
  await attestor.pass();
  ledger.close();
  assert.deepEqual(
    events.map((event) => event.kind),
    ["read", "matched", "released"],
  );

  // The buyer's page follows: closed, released on the attestor's attestation.
  await buyer.getByTestId("trade-state").filter({ hasText: "closed" }).waitFor({ timeout: 30_000 });
  const released = buyer.locator('[data-event="tradeReleased"]');
  assert.match(
    (await released.textContent()) ?? "",
    new RegExp(
      `Released on the payment attestor ${desk.keys.attestor.address}'s attestation: 39.8 to the buyer, protocol fee 0.2$`,
    ),
  );
  await buyer.screenshot({ path: join(screenshots, "attested-release.png"), fullPage: true });
});
