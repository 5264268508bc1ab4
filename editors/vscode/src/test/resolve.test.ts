// Unit tests of the server resolution (node --test; no VS Code needed).

import { strict as assert } from "assert";
import { test } from "node:test";
import { Environment, expandSetting, extraArguments, findOnPath, resolveServer } from "../resolve";

function posix(files: string[], extra: Partial<Environment> = {}): Environment {
  return {
    platform: "linux",
    pathVariable: "/usr/local/bin:/usr/bin",
    pathExtensions: "",
    home: "/home/me",
    workspaceFolder: "/work/repo",
    isFile: (candidate) => files.includes(candidate),
    ...extra,
  };
}

function windows(files: string[]): Environment {
  return {
    platform: "win32",
    pathVariable: "C:\\Python312\\Scripts;;C:\\Windows",
    pathExtensions: ".COM;.EXE;.BAT;.CMD",
    home: "C:\\Users\\me",
    workspaceFolder: "C:\\src\\repo",
    isFile: (candidate) => files.includes(candidate),
  };
}

const none = { executable: "", interpreter: "", args: [] };

test("PATH lookup when nothing is configured", () => {
  assert.deepEqual(resolveServer(none, posix(["/usr/bin/aiblint"])), { command: "/usr/bin/aiblint", args: ["lsp"] });
});

test("the workspace .venv comes before PATH", () => {
  const env = posix(["/usr/bin/aiblint", "/work/repo/.venv/bin/aiblint"]);
  assert.deepEqual(resolveServer(none, env), { command: "/work/repo/.venv/bin/aiblint", args: ["lsp"] });
});

test("not found: a message that says what to do", () => {
  const result = resolveServer(none, posix([]));
  assert.ok("error" in result && result.error.includes("pip install 'aiblint[lsp]'"));
});

test("the executable setting, expanded and with extra arguments", () => {
  const env = posix(["/work/repo/tools/aiblint", "/home/me/bin/aiblint"]);
  assert.deepEqual(resolveServer({ ...none, executable: "${workspaceFolder}/tools/aiblint", args: ["--stdio"] }, env), {
    command: "/work/repo/tools/aiblint",
    args: ["lsp", "--stdio"],
  });
  assert.deepEqual(resolveServer({ ...none, executable: "~/bin/aiblint" }, env), { command: "/home/me/bin/aiblint", args: ["lsp"] });
  assert.deepEqual(resolveServer({ ...none, executable: "tools/aiblint" }, env), { command: "/work/repo/tools/aiblint", args: ["lsp"] });
  const missing = resolveServer({ ...none, executable: "/opt/nothing/aiblint" }, env);
  assert.ok("error" in missing && missing.error.includes("/opt/nothing/aiblint not found"));
});

test("the interpreter setting runs -m aiblint lsp; the executable wins over it", () => {
  const env = posix(["/usr/bin/python3", "/usr/bin/aiblint"]);
  assert.deepEqual(resolveServer({ ...none, interpreter: "python3" }, env), {
    command: "/usr/bin/python3",
    args: ["-m", "aiblint", "lsp"],
  });
  assert.deepEqual(resolveServer({ ...none, interpreter: "python3", executable: "aiblint" }, env), {
    command: "/usr/bin/aiblint",
    args: ["lsp"],
  });
});

test("bad extra arguments are refused, not passed on", () => {
  assert.equal(typeof extraArguments("--stdio"), "string");
  assert.equal(typeof extraArguments([1]), "string");
  assert.equal(typeof extraArguments(["a\0b"]), "string");
  assert.deepEqual(extraArguments(undefined), []);
  const result = resolveServer({ ...none, args: "--stdio" }, posix(["/usr/bin/aiblint"]));
  assert.ok("error" in result);
});

test("Windows: PATHEXT, Scripts folder, empty PATH entries skipped", () => {
  const env = windows(["C:\\Python312\\Scripts\\aiblint.exe", "aiblint.exe"]);
  assert.equal(findOnPath("aiblint", env), "C:\\Python312\\Scripts\\aiblint.exe");
  const venv = windows(["C:\\src\\repo\\.venv\\Scripts\\aiblint.exe"]);
  assert.deepEqual(resolveServer(none, venv), { command: "C:\\src\\repo\\.venv\\Scripts\\aiblint.exe", args: ["lsp"] });
  assert.equal(expandSetting("tools\\aiblint.exe", env), "C:\\src\\repo\\tools\\aiblint.exe");
});

test("an empty PATH entry (the current folder) is never searched", () => {
  const env = posix(["aiblint"], { pathVariable: ":/usr/bin" });
  assert.equal(findOnPath("aiblint", env), undefined);
});
