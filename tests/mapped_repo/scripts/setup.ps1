# A PowerShell script reached through script-roots.
Install-Module Az.Accounts -Scope AllUsers
Write-Host "done"
