/** Markdown tables of the bench's measurements. */

/** A cell: text, or a number printed with thousands separators. */
export type Cell = string | number | bigint;

const show = (cell: Cell) => (typeof cell === "string" ? cell : cell.toLocaleString("en-US"));

/** A Markdown table; numeric columns are right-aligned. */
export function table(headers: string[], rows: Cell[][]): string {
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((row) => typeof row[i] !== "string"),
  );
  return [
    `| ${headers.join(" | ")} |`,
    `|${numeric.map((right) => (right ? "---:" : "---")).join("|")}|`,
    ...rows.map((row) => `| ${row.map(show).join(" | ")} |`),
  ].join("\n");
}

/** Lamports as SOL, to 9 decimals. */
export function sol(lamports: bigint): string {
  const whole = lamports / 1_000_000_000n;
  const fraction = (lamports % 1_000_000_000n).toString().padStart(9, "0");
  return `${whole}.${fraction}`;
}
