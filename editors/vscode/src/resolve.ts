// Which program starts the language server: pure logic, unit-tested without VS Code.
//
// Order: the `aiblint.executable` setting; else the `aiblint.interpreter` setting
// (`<python> -m aiblint lsp`); else `aiblint` in the workspace's .venv; else `aiblint` on PATH.

import * as path from "path";

export interface Settings {
  executable: unknown;
  interpreter: unknown;
  args: unknown;
}

export interface Environment {
  platform: string; // process.platform
  pathVariable: string; // process.env.PATH
  pathExtensions: string; // process.env.PATHEXT (Windows)
  home: string;
  workspaceFolder: string | undefined;
  isFile: (candidate: string) => boolean;
}

export type Resolution = { command: string; args: string[] } | { error: string };

function pathModule(env: Environment): typeof path.posix {
  return env.platform === "win32" ? path.win32 : path.posix;
}

/** The extra arguments, or an error naming the bad one (only strings, no NUL). */
export function extraArguments(value: unknown): string[] | string {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    return "aiblint.args must be a list of strings";
  }
  for (const item of value) {
    if (typeof item !== "string" || item.includes("\0")) {
      return `aiblint.args: ${JSON.stringify(item)} is not a string argument`;
    }
  }
  return value as string[];
}

/** Expand `${workspaceFolder}` and a leading `~`; a relative path with a folder part is
 * taken from the workspace folder (a bare name is looked up on PATH). */
export function expandSetting(value: string, env: Environment): string {
  const p = pathModule(env);
  let expanded = value.trim();
  if (env.workspaceFolder !== undefined) {
    expanded = expanded.split("${workspaceFolder}").join(env.workspaceFolder);
  }
  if (expanded === "~" || expanded.startsWith("~/") || expanded.startsWith("~\\")) {
    expanded = p.join(env.home, expanded.slice(1));
  }
  const hasFolder = expanded.includes("/") || (env.platform === "win32" && expanded.includes("\\"));
  if (hasFolder && !p.isAbsolute(expanded) && env.workspaceFolder !== undefined) {
    expanded = p.join(env.workspaceFolder, expanded);
  }
  return expanded;
}

function executableNames(name: string, env: Environment): string[] {
  if (env.platform !== "win32" || path.win32.extname(name) !== "") {
    return [name];
  }
  const extensions = (env.pathExtensions || ".COM;.EXE;.BAT;.CMD").split(";").filter((e) => e !== "");
  return extensions.map((e) => name + e.toLowerCase());
}

/** The first `name` found in the folders of PATH (with PATHEXT on Windows). */
export function findOnPath(name: string, env: Environment): string | undefined {
  const p = pathModule(env);
  const separator = env.platform === "win32" ? ";" : ":";
  for (const folder of env.pathVariable.split(separator)) {
    if (folder === "") {
      continue; // an empty entry means the current folder: never run a program from there
    }
    for (const candidate of executableNames(name, env)) {
      const full = p.join(folder, candidate);
      if (env.isFile(full)) {
        return full;
      }
    }
  }
  return undefined;
}

function inWorkspaceVenv(env: Environment): string | undefined {
  if (env.workspaceFolder === undefined) {
    return undefined;
  }
  const p = pathModule(env);
  const folder = env.platform === "win32" ? p.join(env.workspaceFolder, ".venv", "Scripts") : p.join(env.workspaceFolder, ".venv", "bin");
  return executableNames("aiblint", env)
    .map((name) => p.join(folder, name))
    .find((candidate) => env.isFile(candidate));
}

export function resolveServer(settings: Settings, env: Environment): Resolution {
  const extra = extraArguments(settings.args);
  if (typeof extra === "string") {
    return { error: extra };
  }
  const executable = typeof settings.executable === "string" ? settings.executable.trim() : "";
  const interpreter = typeof settings.interpreter === "string" ? settings.interpreter.trim() : "";
  if (executable !== "") {
    const expanded = expandSetting(executable, env);
    const found = pathModule(env).isAbsolute(expanded) ? expanded : findOnPath(expanded, env);
    if (found === undefined || !env.isFile(found)) {
      return { error: `aiblint.executable: ${expanded} not found` };
    }
    return { command: found, args: ["lsp", ...extra] };
  }
  if (interpreter !== "") {
    const expanded = expandSetting(interpreter, env);
    const found = pathModule(env).isAbsolute(expanded) ? expanded : findOnPath(expanded, env);
    if (found === undefined || !env.isFile(found)) {
      return { error: `aiblint.interpreter: ${expanded} not found` };
    }
    return { command: found, args: ["-m", "aiblint", "lsp", ...extra] };
  }
  const found = inWorkspaceVenv(env) ?? findOnPath("aiblint", env);
  if (found === undefined) {
    return { error: "aiblint not found on PATH or in the workspace's .venv: pip install 'aiblint[lsp]', or set aiblint.executable" };
  }
  return { command: found, args: ["lsp", ...extra] };
}
