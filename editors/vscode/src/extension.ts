// The aiblint extension: starts `aiblint lsp` over stdio for JSON, JSONC, Bicep and
// Terraform documents, and restarts it when its settings change. Nothing else: the
// server does the work.

import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from "vscode-languageclient/node";
import { Environment, resolveServer } from "./resolve";

const LANGUAGES = ["json", "jsonc", "bicep", "terraform"];
let client: LanguageClient | undefined;

function environment(): Environment {
  return {
    platform: process.platform,
    pathVariable: process.env.PATH ?? "",
    pathExtensions: process.env.PATHEXT ?? "",
    home: os.homedir(),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    isFile: (candidate) => {
      try {
        return fs.statSync(candidate).isFile();
      } catch {
        return false;
      }
    },
  };
}

async function start(output: vscode.OutputChannel): Promise<void> {
  const settings = vscode.workspace.getConfiguration("aiblint");
  const resolved = resolveServer(
    { executable: settings.get("executable"), interpreter: settings.get("interpreter"), args: settings.get("args") },
    environment(),
  );
  if ("error" in resolved) {
    output.appendLine(resolved.error);
    void vscode.window.showWarningMessage(resolved.error);
    return;
  }
  output.appendLine(`starting ${resolved.command} ${resolved.args.join(" ")}`);
  const serverOptions: ServerOptions = { command: resolved.command, args: resolved.args, transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    outputChannel: output,
  };
  client = new LanguageClient("aiblint", "aiblint", serverOptions, clientOptions);
  await client.start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) {
    await running.stop();
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("aiblint");
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("aiblint")) {
        await stop();
        await start(output);
      }
    }),
  );
  await start(output);
}

export async function deactivate(): Promise<void> {
  await stop();
}
