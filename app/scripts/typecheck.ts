/**
 * Type-checks the package (tsconfig.json) and fails on any error in our code. Errors inside
 * `src/generated/` are reported but do not fail: that code is Codama's output, regenerated and
 * never edited, and @codama/renderers-js 2.2.0 (the newest that installs here) types its optional
 * client plugin for @solana/kit 6, which @solana/kit 8 rejects. Nothing here uses that plugin.
 */
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";

import ts from "typescript";

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const configPath = join(appDir, "tsconfig.json");
const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  },
);
if (!config) throw new Error(`cannot read ${configPath}`);
const program = ts.createProgram(config.fileNames, config.options);
const diagnostics = ts.getPreEmitDiagnostics(program);
const generatedDir = join(appDir, "src", "generated");
const host: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (name) => name,
  getCurrentDirectory: () => appDir,
  getNewLine: () => "\n",
};
const inGenerated = (d: ts.Diagnostic) =>
  d.file !== undefined && !relative(generatedDir, d.file.fileName).startsWith("..");
const ours = diagnostics.filter((d) => !inGenerated(d));
const generated = diagnostics.filter(inGenerated);
if (generated.length > 0) {
  const files = [...new Set(generated.map((d) => relative(appDir, d.file!.fileName)))];
  console.log(
    `note: ${generated.length} type error(s) in Codama's output (${files.join(", ")}), not ours to edit`,
  );
}
if (ours.length > 0) {
  console.error(ts.formatDiagnosticsWithColorAndContext(ours, host));
  process.exit(1);
}
console.log(`typecheck: ${config.fileNames.length} files, no errors in our code`);
