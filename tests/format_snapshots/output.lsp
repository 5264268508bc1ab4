{
  "file:///ROOT/fixtures/AIB401/through_wrappers.json": [
    {
      "range": {
        "start": {
          "line": 32,
          "character": 70
        },
        "end": {
          "line": 32,
          "character": 90
        }
      },
      "severity": 1,
      "code": "AIB401",
      "source": "aiblint",
      "message": "apt install without -y stops at \"Do you want to continue? [Y/n]\" whenever it has more to do than the named packages, and the build cannot answer: add -y",
      "data": {
        "pointer": "/properties/customize/0/inline/0"
      },
      "codeDescription": {
        "href": "file:///ROOT/rules/AIB401.md"
      }
    },
    {
      "range": {
        "start": {
          "line": 33,
          "character": 24
        },
        "end": {
          "line": 33,
          "character": 50
        }
      },
      "severity": 1,
      "code": "AIB401",
      "source": "aiblint",
      "message": "apt-get install without -y stops at \"Do you want to continue? [Y/n]\" whenever it has more to do than the named packages, and the build cannot answer: add -y",
      "data": {
        "pointer": "/properties/customize/0/inline/1"
      },
      "codeDescription": {
        "href": "file:///ROOT/rules/AIB401.md"
      }
    },
    {
      "range": {
        "start": {
          "line": 34,
          "character": 67
        },
        "end": {
          "line": 34,
          "character": 85
        }
      },
      "severity": 1,
      "code": "AIB401",
      "source": "aiblint",
      "message": "yum install waits for an \"Is this ok [y/N]\" answer the build cannot give: add -y",
      "data": {
        "pointer": "/properties/customize/0/inline/2"
      },
      "codeDescription": {
        "href": "file:///ROOT/rules/AIB401.md"
      }
    },
    {
      "range": {
        "start": {
          "line": 35,
          "character": 29
        },
        "end": {
          "line": 35,
          "character": 47
        }
      },
      "severity": 1,
      "code": "AIB401",
      "source": "aiblint",
      "message": "zypper install asks for confirmation: add --non-interactive (zypper -n install ...)",
      "data": {
        "pointer": "/properties/customize/0/inline/3"
      },
      "codeDescription": {
        "href": "file:///ROOT/rules/AIB401.md"
      }
    }
  ],
  "file:///ROOT/fixtures/AIB303/client_no_restart.json": [
    {
      "range": {
        "start": {
          "line": 39,
          "character": 16
        },
        "end": {
          "line": 39,
          "character": 31
        }
      },
      "severity": 3,
      "code": "AIB303",
      "source": "aiblint",
      "message": "Windows Update is the last step: its customizer restarts the VM itself while updates need it, so the build passes, but work it leaves pending can slow the first logon of VMs from this client image; a final WindowsRestart customizer settles it",
      "data": {
        "pointer": "/properties/customize/2/type"
      },
      "codeDescription": {
        "href": "file:///ROOT/rules/AIB303.md"
      }
    }
  ],
  "file:///ROOT/fixtures/AIB001/missing_comma.json": [
    {
      "range": {
        "start": {
          "line": 4,
          "character": 6
        },
        "end": {
          "line": 4,
          "character": 7
        }
      },
      "severity": 1,
      "code": "AIB001",
      "source": "aiblint",
      "message": "expected ',' or ']' after an array item, found '{'",
      "data": {
        "pointer": ""
      },
      "codeDescription": {
        "href": "file:///ROOT/rules/AIB001.md"
      }
    }
  ]
}
