/**
 * Starting the p2p-escrow local chain (`cargo run -p p2p-escrow-local-chain`, binary
 * `target/debug/local-chain`) from Node: the real program in program-test's bank behind JSON-RPC.
 */
import { spawn, type ChildProcess } from "node:child_process";

/** A running local chain. */
export type LocalChain = {
  /** Its JSON-RPC address, as the chain printed it (`http://127.0.0.1:PORT`). */
  url: string;
  /** The line the chain printed when it started listening. */
  startLine: string;
  process: ChildProcess;
  /** Stops the chain (SIGTERM) and waits for it to exit. */
  stop: () => Promise<void>;
};

export type LocalChainOptions = {
  /** The `local-chain` binary. */
  binary: string;
  /** The program's upgrade authority: an address or a keypair file (`--upgrade-authority`). */
  upgradeAuthority: string;
  /** The port to listen on; 0 (the default) takes any free port. */
  port?: number | string;
  /** Where the chain's stderr goes: `"pipe"` (kept for the error if it exits early) or `"inherit"`. */
  stderr?: "pipe" | "inherit";
};

/**
 * Starts a local chain and resolves once it listens. Rejects with the chain's output if it exits
 * first (a busy port, a bad upgrade authority) or cannot be started.
 */
export async function startLocalChain(options: LocalChainOptions): Promise<LocalChain> {
  const args = [
    "--port",
    String(options.port ?? 0),
    "--upgrade-authority",
    options.upgradeAuthority,
  ];
  const child = spawn(options.binary, args, {
    stdio: ["ignore", "pipe", options.stderr ?? "pipe"],
  });
  const startLine = await new Promise<string>((resolve, reject) => {
    let output = "";
    let started = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      // After its start line the chain's stdout only carries the native program's own prints.
      if (started) return;
      output += chunk.toString();
      const line = output.split("\n").find((l) => /JSON-RPC on http:\/\/\S+/.test(l));
      if (line) {
        started = true;
        resolve(line);
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      if (!started) reject(new Error(`the local chain exited (${code}): ${output.trim()}`));
    });
    child.once("error", reject);
  });
  return {
    url: /JSON-RPC on (http:\/\/\S+)/.exec(startLine)![1],
    startLine,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
