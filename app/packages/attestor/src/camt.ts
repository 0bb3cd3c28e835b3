/**
 * ISO 20022 cash-management messages as a bank reports money moving on an account: camt.052
 * (account report, intraday), camt.053 (statement, end of day) and camt.054 (debit and credit
 * notification), versions .001.02 to .001.10. The XML is parsed by fast-xml-parser; the mapping of
 * the camt elements (ISO 20022 message definitions) to what an attestor needs is ours:
 *
 * - the message, its version and identification (`GrpHdr/MsgId`);
 * - per report, statement or notification (`Rpt`, `Stmt`, `Ntfctn`): the account (`Acct/Id/IBAN`
 *   or `Othr/Id`, `Acct/Ccy`), its balances (`Bal`: type code, amount, currency, sign, date) and
 *   its entries (`Ntry`);
 * - per entry: amount and currency (`Amt/@Ccy`), credit or debit (`CdtDbtInd`), reversal
 *   (`RvslInd`), status (`Sts` or, from .001.08, `Sts/Cd`: `BOOK`, `PDNG`, `INFO`), booking and
 *   value dates (`BookgDt`, `ValDt`: `Dt` or `DtTm`), the references (`NtryRef`, `AcctSvcrRef`) and
 *   its transactions (`NtryDtls/TxDtls`, one or more: a batch entry holds many);
 * - per transaction: its own amount when given (`Amt`, or `AmtDtls/TxAmt/Amt`), sign, references
 *   (`Refs/EndToEndId`, `TxId`, `AcctSvcrRef`), remittance information (`RmtInf/Ustrd` lines and
 *   `RmtInf/Strd`: `CdtrRefInf/Ref` and `AddtlRmtInf`) and the debtor (`RltdPties/Dbtr`, its
 *   account `RltdPties/DbtrAcct`).
 *
 * Input that is not well-formed XML, not a camt message, or a camt message missing what the
 * mapping needs is refused with a `CamtError` naming the file and the element.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** The camt messages this reads. */
export type CamtMessage = "camt.052" | "camt.053" | "camt.054";

/** Why a file was refused. */
export type CamtErrorName =
  "MalformedXml" | "FileTooLarge" | "NotCamt" | "UnsupportedCamtVersion" | "InvalidCamt";

/** The largest statement file read, in bytes (16 MiB: a busy account's day, many times over). */
export const MAX_CAMT_FILE_SIZE = 16 * 1024 * 1024;

/** A refused file: `name` says why, `file` and `element` where. */
export class CamtError extends Error {
  constructor(
    readonly errorName: CamtErrorName,
    readonly file: string,
    readonly element: string,
    detail: string,
  ) {
    super(`${file}: ${errorName} at ${element}: ${detail}`);
    this.name = "CamtError";
  }
}

/** An amount as the bank wrote it: a decimal text and its ISO 4217 currency. */
export type CamtAmount = { value: string; currency: string };

export type CamtBalance = {
  /** `Tp/CdOrPrtry/Cd` (`OPBD`, `CLBD`, `ITBD`, ...), or the proprietary type. */
  type: string;
  amount: CamtAmount;
  creditDebit: "CRDT" | "DBIT";
  /** `Dt/Dt` or `Dt/DtTm`. */
  date: string | null;
};

export type CamtParty = { name: string | null; account: string | null };

export type CamtTransaction = {
  /** The transaction's own amount, when the bank gives one. */
  amount: CamtAmount | null;
  creditDebit: "CRDT" | "DBIT" | null;
  endToEndId: string | null;
  transactionId: string | null;
  /** `Refs/UETR`, the payment's unique end-to-end transaction reference, when given. */
  uetr: string | null;
  accountServicerReference: string | null;
  /** `RtrInf` present: the transaction returns an earlier payment. */
  returned: boolean;
  /** `RmtInf/Ustrd`, each line. */
  unstructured: string[];
  /** `RmtInf/Strd`: each creditor reference (`CdtrRefInf/Ref`) and additional line. */
  structured: string[];
  debtor: CamtParty | null;
};

export type CamtEntry = {
  /** `NtryRef`. */
  entryReference: string | null;
  /** `AcctSvcrRef`, the bank's reference of the entry. */
  accountServicerReference: string | null;
  amount: CamtAmount;
  creditDebit: "CRDT" | "DBIT";
  /** `RvslInd`: the entry reverses an earlier one. */
  reversal: boolean;
  /** `BkTxCd`: the domain, family and sub-family codes (`PMNT/RCDT/ESCT`), or the proprietary
   * code. */
  bankTransactionCode: string | null;
  /** `NtryDtls/Btch/NbOfTxs`: the transactions a batch entry holds, when given. */
  batchSize: number | null;
  /** `BOOK` (booked), `PDNG` (pending), `INFO` (information only), ...; a proprietary status as
   * written. */
  status: string;
  bookingDate: string | null;
  valueDate: string | null;
  transactions: CamtTransaction[];
};

export type CamtReport = {
  /** `Id` of the report, statement or notification. */
  id: string;
  account: { id: string; currency: string | null };
  balances: CamtBalance[];
  entries: CamtEntry[];
};

export type CamtDocument = {
  message: CamtMessage;
  /** The message definition's version, `001.02` to `001.10`. */
  version: string;
  messageId: string;
  reports: CamtReport[];
};

/** Root element and report element per message. */
const MESSAGES: Record<string, { message: CamtMessage; report: string }> = {
  BkToCstmrAcctRpt: { message: "camt.052", report: "Rpt" },
  BkToCstmrStmt: { message: "camt.053", report: "Stmt" },
  BkToCstmrDbtCdtNtfctn: { message: "camt.054", report: "Ntfctn" },
};

/** Elements that may repeat, always read as lists. */
const LISTS = new Set([
  "Rpt",
  "Stmt",
  "Ntfctn",
  "Bal",
  "Ntry",
  "NtryDtls",
  "TxDtls",
  "Ustrd",
  "Strd",
  "AddtlRmtInf",
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => LISTS.has(name),
});

/** The same, keeping namespace prefixes and declarations: for the Document's namespace. */
const namespaces = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseTagValue: false,
  parseAttributeValue: false,
});

type Node = Record<string, unknown>;

/** The namespace of the `Document` element (declared default or for its prefix). */
function documentNamespace(xml: string): string {
  const parsed = namespaces.parse(xml) as Node;
  const key = Object.keys(parsed).find((name) => /(^|:)Document$/.test(name));
  if (!key) return "";
  const prefix = key.includes(":") ? key.slice(0, key.indexOf(":")) : null;
  return text(parsed[key], prefix ? `@xmlns:${prefix}` : "@xmlns") ?? "";
}

/** A child element, if present. */
function child(node: unknown, name: string): unknown {
  return node && typeof node === "object" ? (node as Node)[name] : undefined;
}

/** The text at `path` below `node`, or null. */
function text(node: unknown, ...path: string[]): string | null {
  let at: unknown = node;
  for (const name of path) at = child(at, name);
  if (typeof at === "string") return at;
  // An element with attributes and text: fast-xml-parser keeps the text under `#text`.
  const inner = child(at, "#text");
  return typeof inner === "string" ? inner : null;
}

function list(node: unknown, name: string): unknown[] {
  const value = child(node, name);
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** What the parser refuses beyond the validator (nesting too deep, reserved names) is malformed. */
function parseOr<T>(parse: () => T, file: string): T {
  try {
    return parse();
  } catch (error) {
    throw new CamtError("MalformedXml", file, "(document)", (error as Error).message);
  }
}

/** Encodings a camt file may declare, as `TextDecoder` names them. */
const ENCODINGS: Record<string, string> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  "iso-8859-1": "latin1",
  latin1: "latin1",
  "windows-1252": "windows-1252",
  "utf-16": "utf-16le",
};

/**
 * The text of a camt file's bytes: UTF-16 by its byte order mark, else the encoding its XML
 * declaration names (UTF-8, ISO-8859-1, Windows-1252; UTF-8 without one). Bytes that are not the
 * encoding, or another encoding, are refused (`MalformedXml`).
 */
export function decodeCamt(bytes: Uint8Array, file: string): string {
  const refuse = (detail: string) => new CamtError("MalformedXml", file, "(encoding)", detail);
  let encoding: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = "utf-16le";
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = "utf-16be";
  else {
    const head = new TextDecoder("latin1").decode(bytes.subarray(0, 200));
    const declared =
      /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
    const name = declared === undefined ? "utf-8" : ENCODINGS[declared.toLowerCase()];
    if (!name || name === "utf-16le") {
      throw refuse(`the declared encoding "${declared}" is not UTF-8, ISO-8859-1 or Windows-1252`);
    }
    encoding = name;
  }
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    throw refuse(`the bytes are not ${encoding}`);
  }
}

/**
 * Parses one camt file (`file` names it in errors). Refuses what is not well-formed XML
 * (`MalformedXml`), not a camt.052/053/054 document (`NotCamt`), of a version outside .001.02 to
 * .001.10 (`UnsupportedCamtVersion`), or missing what an entry needs (`InvalidCamt`).
 */
export function parseCamt(xml: string, file: string): CamtDocument {
  if (xml.length > MAX_CAMT_FILE_SIZE) {
    throw new CamtError("FileTooLarge", file, "(file)", `more than ${MAX_CAMT_FILE_SIZE} bytes`);
  }
  // camt messages declare no DTD; one could define entities that rewrite what the bank wrote.
  if (/<!DOCTYPE/i.test(xml)) {
    throw new CamtError("MalformedXml", file, "DOCTYPE", "a camt message has no document type");
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new CamtError(
      "MalformedXml",
      file,
      `line ${valid.err.line}, column ${valid.err.col}`,
      valid.err.msg,
    );
  }
  const parsed = parseOr(() => parser.parse(xml) as Node, file);
  const document = child(parsed, "Document");
  const rootName = document
    ? Object.keys(document as Node).find((key) => key in MESSAGES)
    : undefined;
  if (!document || !rootName) {
    const first = Object.keys(parsed).find((key) => !key.startsWith("?")) ?? "(none)";
    throw new CamtError("NotCamt", file, first, "not a camt.052, camt.053 or camt.054 Document");
  }
  const { message, report } = MESSAGES[rootName];
  const namespace = parseOr(() => documentNamespace(xml), file);
  const version = /^urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\.(001\.\d{2})$/.exec(
    namespace,
  )?.[1];
  if (!version || !namespace.includes(message)) {
    throw new CamtError(
      "NotCamt",
      file,
      "Document/@xmlns",
      `namespace "${namespace}" is not ${message}`,
    );
  }
  const minor = Number(version.slice(4));
  if (minor < 2 || minor > 10) {
    throw new CamtError("UnsupportedCamtVersion", file, "Document/@xmlns", `${message}.${version}`);
  }
  const root = child(document, rootName);
  const messageId = text(root, "GrpHdr", "MsgId");
  if (!messageId) throw new CamtError("InvalidCamt", file, `${rootName}/GrpHdr/MsgId`, "missing");
  // The schema has one message per Document and at least one report in it: a file breaking that
  // would otherwise be read as holding no credits.
  const roots = Object.keys(document as Node).filter((key) => key in MESSAGES);
  if (roots.length > 1) {
    throw new CamtError("InvalidCamt", file, `Document/${roots[1]}`, "more than one message");
  }
  if (list(root, report).length === 0) {
    throw new CamtError("InvalidCamt", file, `${rootName}/${report}`, "missing");
  }
  const reports = list(root, report).map((node, r) =>
    readReport(node, `${rootName}/${report}[${r + 1}]`, file),
  );
  return { message, version, messageId, reports };
}

/**
 * An amount (`xs:decimal`, at most 18 digits, 5 of them decimals) in a canonical form: no sign, a
 * whole part, the decimals as written (`+100.` is `100`, `.5` is `0.5`).
 */
function amountOf(node: unknown, where: string, file: string): CamtAmount {
  const written = text(node);
  const parts = /^\+?(\d*)(?:\.(\d*))?$/.exec(written ?? "");
  const whole = parts?.[1] ?? "";
  const fraction = parts?.[2] ?? "";
  if (
    !parts ||
    whole.length + fraction.length === 0 ||
    whole.length + fraction.length > 18 ||
    fraction.length > 5
  ) {
    throw new CamtError("InvalidCamt", file, where, `"${written ?? ""}" is not an amount`);
  }
  const value = `${whole || "0"}${fraction ? `.${fraction}` : ""}`;
  const currency = text(node, "@Ccy");
  if (!currency || !/^[A-Z]{3}$/.test(currency)) {
    throw new CamtError(
      "InvalidCamt",
      file,
      `${where}/@Ccy`,
      `"${currency ?? ""}" is not a currency`,
    );
  }
  return { value, currency };
}

function sign(node: unknown, where: string, file: string): "CRDT" | "DBIT" {
  const value = text(node, "CdtDbtInd");
  if (value !== "CRDT" && value !== "DBIT") {
    throw new CamtError(
      "InvalidCamt",
      file,
      `${where}/CdtDbtInd`,
      `"${value ?? ""}" is not CRDT or DBIT`,
    );
  }
  return value;
}

/** A date element's `Dt` or `DtTm`. */
function dateOf(node: unknown): string | null {
  return text(node, "Dt") ?? text(node, "DtTm");
}

function readReport(node: unknown, where: string, file: string): CamtReport {
  const id = text(node, "Id");
  if (!id) throw new CamtError("InvalidCamt", file, `${where}/Id`, "missing");
  const account = child(node, "Acct");
  const accountId = text(account, "Id", "IBAN") ?? text(account, "Id", "Othr", "Id");
  if (!accountId) throw new CamtError("InvalidCamt", file, `${where}/Acct/Id`, "missing");
  const balances = list(node, "Bal").map((balance, b) => {
    const at = `${where}/Bal[${b + 1}]`;
    const type =
      text(balance, "Tp", "CdOrPrtry", "Cd") ?? text(balance, "Tp", "CdOrPrtry", "Prtry");
    if (!type) throw new CamtError("InvalidCamt", file, `${at}/Tp`, "missing");
    return {
      type,
      amount: amountOf(child(balance, "Amt"), `${at}/Amt`, file),
      creditDebit: sign(balance, at, file),
      date: dateOf(child(balance, "Dt")),
    };
  });
  const entries = list(node, "Ntry").map((entry, e) =>
    readEntry(entry, `${where}/Ntry[${e + 1}]`, file),
  );
  return { id, account: { id: accountId, currency: text(account, "Ccy") }, balances, entries };
}

function readEntry(node: unknown, where: string, file: string): CamtEntry {
  const status = text(node, "Sts", "Cd") ?? text(node, "Sts", "Prtry") ?? text(node, "Sts");
  if (!status) throw new CamtError("InvalidCamt", file, `${where}/Sts`, "missing");
  const transactions = list(node, "NtryDtls").flatMap((details, d) =>
    list(details, "TxDtls").map((tx, t) =>
      readTransaction(tx, `${where}/NtryDtls[${d + 1}]/TxDtls[${t + 1}]`, file),
    ),
  );
  const code = child(node, "BkTxCd");
  const domain = child(code, "Domn");
  const family = child(domain, "Fmly");
  const standard = [text(domain, "Cd"), text(family, "Cd"), text(family, "SubFmlyCd")];
  const batchSize = list(node, "NtryDtls")
    .map((details) => text(details, "Btch", "NbOfTxs"))
    .find((size) => size !== null);
  const reversal = text(node, "RvslInd");
  return {
    entryReference: text(node, "NtryRef"),
    accountServicerReference: text(node, "AcctSvcrRef"),
    amount: amountOf(child(node, "Amt"), `${where}/Amt`, file),
    creditDebit: sign(node, where, file),
    reversal: reversal === "true" || reversal === "1",
    bankTransactionCode: standard.every(Boolean) ? standard.join("/") : text(code, "Prtry", "Cd"),
    batchSize: batchSize && /^\d+$/.test(batchSize) ? Number(batchSize) : null,
    status,
    bookingDate: dateOf(child(node, "BookgDt")),
    valueDate: dateOf(child(node, "ValDt")),
    transactions,
  };
}

function readTransaction(node: unknown, where: string, file: string): CamtTransaction {
  const own = child(node, "Amt") ?? child(child(child(node, "AmtDtls"), "TxAmt"), "Amt");
  const signed = text(node, "CdtDbtInd");
  const remittance = child(node, "RmtInf");
  const structured = list(remittance, "Strd").flatMap((block) => [
    ...(text(block, "CdtrRefInf", "Ref") ? [text(block, "CdtrRefInf", "Ref")!] : []),
    ...list(block, "AddtlRmtInf").filter((line): line is string => typeof line === "string"),
  ]);
  const parties = child(node, "RltdPties");
  const debtorNode = child(parties, "Dbtr");
  const debtorName = text(debtorNode, "Nm") ?? text(debtorNode, "Pty", "Nm");
  const debtorAccount =
    text(parties, "DbtrAcct", "Id", "IBAN") ?? text(parties, "DbtrAcct", "Id", "Othr", "Id");
  return {
    amount: own === undefined ? null : amountOf(own, `${where}/Amt`, file),
    creditDebit: signed === "CRDT" || signed === "DBIT" ? signed : null,
    endToEndId: text(node, "Refs", "EndToEndId"),
    transactionId: text(node, "Refs", "TxId"),
    uetr: text(node, "Refs", "UETR"),
    accountServicerReference: text(node, "Refs", "AcctSvcrRef"),
    returned: child(node, "RtrInf") !== undefined,
    unstructured: list(remittance, "Ustrd").filter(
      (line): line is string => typeof line === "string",
    ),
    structured,
    debtor: debtorName || debtorAccount ? { name: debtorName, account: debtorAccount } : null,
  };
}

/** Decimal places kept when adding amounts (camt amounts have at most five). */
const SCALE = 5;

/** `amount` in units of 10^-5, exactly. */
export function scaled(amount: string): bigint {
  const [whole, fraction = ""] = amount.split(".");
  return BigInt(whole) * 10n ** BigInt(SCALE) + BigInt(fraction.padEnd(SCALE, "0"));
}

/**
 * Whether a report's booked entries take its opening balance (`OPBD`, or `PRCD` for the previous
 * closing) to its closing balance (`CLBD`), all in one currency; null when it has no such pair to
 * check (a notification, or balances in several currencies).
 */
export function reconciles(report: CamtReport): boolean | null {
  const balance = (types: string[]) => report.balances.find((b) => types.includes(b.type));
  const opening = balance(["OPBD", "PRCD"]);
  const closing = balance(["CLBD"]);
  if (!opening || !closing) return null;
  const currency = opening.amount.currency;
  const booked = report.entries.filter((entry) => entry.status === "BOOK");
  if (
    closing.amount.currency !== currency ||
    booked.some((entry) => entry.amount.currency !== currency)
  ) {
    return null;
  }
  const signed = (amount: CamtAmount, creditDebit: "CRDT" | "DBIT") =>
    creditDebit === "CRDT" ? scaled(amount.value) : -scaled(amount.value);
  const net = booked.reduce((sum, entry) => sum + signed(entry.amount, entry.creditDebit), 0n);
  return (
    signed(opening.amount, opening.creditDebit) + net ===
    signed(closing.amount, closing.creditDebit)
  );
}
