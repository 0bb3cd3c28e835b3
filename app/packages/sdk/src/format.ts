/** Parsing and printing amounts, durations and timestamps for people. */

/** Text that is not the amount or duration it should be: what a person typed wrong. */
export class ParseError extends Error {
  override name = "ParseError";
}

/** The largest amount of base units (lamports included) an account can hold: a u64. */
const U64_MAX = 2n ** 64n - 1n;
/** The longest duration, in seconds, a program window (an i64) can hold. */
const I64_MAX = 2n ** 63n - 1n;

/**
 * `"12.5"` with 6 decimals -> 12500000n; refuses more decimals than the mint has and more base
 * units than a u64 holds.
 */
export function parseAmount(text: string, decimals: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match)
    throw new ParseError(`"${text}" is not an amount (digits, optionally with a decimal point)`);
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) {
    throw new ParseError(`"${text}" has more than ${decimals} decimals, the mint's precision`);
  }
  const amount =
    BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, "0") || "0");
  if (amount > U64_MAX) {
    throw new ParseError(`"${text}" is more than an amount can be (2^64 - 1 base units)`);
  }
  return amount;
}

/** 12500000n with 6 decimals -> `"12.5"`. */
export function formatAmount(amount: bigint, decimals: number): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** `"90"`, `"30m"`, `"2h"`, `"7d"` -> seconds (at most an i64's worth). */
export function parseDuration(text: string): bigint {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match)
    throw new ParseError(`"${text}" is not a duration (seconds, or a number with s, m, h or d)`);
  const unit = { "": 1n, s: 1n, m: 60n, h: 3600n, d: 86400n }[
    match[2] as "" | "s" | "m" | "h" | "d"
  ];
  const seconds = BigInt(match[1]) * unit;
  if (seconds > I64_MAX) throw new ParseError(`"${text}" is longer than any window can be`);
  return seconds;
}

/** Seconds -> `"1h 30m"`. */
export function formatDuration(seconds: bigint): string {
  const parts: string[] = [];
  let rest = seconds < 0n ? -seconds : seconds;
  for (const [unit, size] of [
    ["d", 86400n],
    ["h", 3600n],
    ["m", 60n],
    ["s", 1n],
  ] as const) {
    if (rest >= size) {
      parts.push(`${rest / size}${unit}`);
      rest %= size;
    }
  }
  return `${seconds < 0n ? "-" : ""}${parts.join(" ") || "0s"}`;
}

/** Unix seconds -> `"2026-11-25 22:40:01 UTC"`. */
export function formatTime(unixSeconds: bigint | number): string {
  return `${new Date(Number(unixSeconds) * 1000).toISOString().replace("T", " ").slice(0, 19)} UTC`;
}

/** Basis points -> `"70%"`, `"0.5%"`. */
export function formatBps(bps: number): string {
  return `${bps / 100}%`;
}

/** Fiat minor units (cents) -> `"1050.00"`: always two decimals. */
export function formatFiat(minorUnits: bigint): string {
  const negative = minorUnits < 0n;
  const cents = negative ? -minorUnits : minorUnits;
  return `${negative ? "-" : ""}${cents / 100n}.${(cents % 100n).toString().padStart(2, "0")}`;
}
