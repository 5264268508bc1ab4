"""What a bare exit code means when a step fails with nothing but the number.

Sources: Windows Installer error codes (MsiExec.exe and InstMsi.exe error messages, Microsoft Learn),
System Error Codes 0-499 and 1000-1299 (Microsoft Learn), the packer SDK (`CmdDisconnect` = 2300218),
packer-plugin-windows-update (101 = restart needed), Azure/azvmimagebuilder pull request 52 (FSLogix 267014), apt-get(8) (100 on error), bash(1) (126, 127).
Codes at or above 2**31 are the unsigned form of a negative number or of an HRESULT.
"""

from __future__ import annotations

from dataclasses import dataclass

VALID_EXIT_CODES_FIX = (
    "The step succeeded but asks for a restart: list the code in the customizer's validExitCodes "
    "(e.g. [0, {code}]) and add a WindowsRestart customizer after it."
)


@dataclass(frozen=True)
class Explanation:
    code: int
    meaning: str
    fix: str | None = None
    success: bool = False  # the code reports success (maybe with a restart to do)


# What each well-known code means, the fix where one is known, and which codes report success.
_MEANING: dict[int, str] = {
    1: "generic failure: the script or the last command in it failed (PowerShell turns a terminating error into 1)",
    2: "ERROR_FILE_NOT_FOUND on Windows (a path or installer that is not there); a usage error for many Linux tools",
    5: "ERROR_ACCESS_DENIED: the step lacks the rights it needs (run it elevated, or check the file's ACL)",
    87: "ERROR_INVALID_PARAMETER: the installer or command was given a switch or argument it does not accept",
    100: "apt-get failed (a package not found, a held lock or a broken dependency)",
    101: "packer-plugin-windows-update: updates were installed and a restart is pending (the plugin restarts and goes on)",
    126: "the command was found but is not executable (a script without +x, or /tmp mounted noexec as on CIS-hardened images)",
    127: "command not found (a tool that is not installed, or a typo)",
    1190: "ERROR_SHUTDOWN_IS_SCHEDULED: a restart was already scheduled when another was requested",
    1602: "ERROR_INSTALL_USEREXIT: the installer was cancelled (a dialog waited for a person)",
    1603: "ERROR_INSTALL_FAILURE: fatal error during an MSI installation (the installer's own log says why)",
    1618: "ERROR_INSTALL_ALREADY_RUNNING: another installation (often Windows Update) was in progress",
    1619: "ERROR_INSTALL_PACKAGE_OPEN_FAILED: the MSI package could not be opened (a failed download or a wrong path)",
    1638: "ERROR_PRODUCT_VERSION: another version of the product is already installed",
    1641: "ERROR_SUCCESS_REBOOT_INITIATED: the installer succeeded and started a restart",
    3010: "ERROR_SUCCESS_REBOOT_REQUIRED: the installer succeeded and a restart is required",
    267014: "returned by the FSLogix apps installer on a successful install during AVD builds (Azure/azvmimagebuilder pull request 52 adds it to validExitCodes)",
    2300218: "packer's CmdDisconnect: the remote command ended without an exit status (the connection to the VM was lost)",
}
_FIX: dict[int, str] = {
    87: "Check the installer's switches against its documentation (msiexec /?; the vendor's silent-install page).",
    1602: "Run the installer with its quiet switches (/qn for msiexec).",
    1603: "Re-run msiexec with /l*v C:\\Windows\\Temp\\install.log and print that log in the step; common causes are a missing prerequisite, a pending restart or an already-installed version.",
    1618: "Wait for msiexec to finish before the step (or put a WindowsRestart before it), then retry.",
    1641: VALID_EXIT_CODES_FIX,
    3010: VALID_EXIT_CODES_FIX,
    267014: "List it in the customizer's validExitCodes: [0, 267014].",
}
_SUCCESS = frozenset({101, 1641, 3010, 267014})  # maybe with a restart to do

_HRESULT_WIN32 = {
    2: "file not found",
    3: "path not found",
    5: "access denied",
    1603: "fatal MSI error",
    1618: "another installation is running",
}


def explain(code: int) -> Explanation:
    """The meaning (and, where it is known, the fix) of one exit code as packer printed it."""
    if code in _MEANING:
        fix = _FIX.get(code)
        return Explanation(code, _MEANING[code], fix.format(code=code) if fix else None, code in _SUCCESS)
    if 0x80000000 <= code <= 0xFFFFFFFF:
        signed = code - 0x100000000
        if 0x80070000 <= code <= 0x8007FFFF:  # HRESULT_FROM_WIN32
            win32 = code & 0xFFFF
            said = _HRESULT_WIN32.get(win32, f"Win32 error {win32}")
            return Explanation(code, f"{code} is HRESULT 0x{code:08X} ({signed} as signed): {said}")
        if signed == -1:
            return Explanation(
                code,
                "4294967295 is -1 shown as an unsigned 32-bit number: the script ran `exit -1`, or a process "
                "(often an installer or a .NET tool) ended with -1",
            )
        return Explanation(code, f"{code} is {signed} shown as an unsigned 32-bit number (HRESULT 0x{code:08X})")
    if code == 0:
        return Explanation(0, "success", None, True)
    return Explanation(code, f"exit code {code}: not a well-known code; the script's own output just before it says why")
