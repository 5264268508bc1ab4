"""AIB020 and AIB013 carry their other places as related locations: the text caret output's
``= what: file:line:column`` lines, SARIF relatedLocations and LSP relatedInformation."""

from __future__ import annotations

import json
from pathlib import Path

from aiblint.config import Config
from aiblint.lint import LintOptions, lint_text
from aiblint.report import renderer

ROOT = Path(__file__).resolve().parent.parent


def _lint_fixture(name: str):  # type: ignore[no-untyped-def]
    path = ROOT / "fixtures" / name
    return path, lint_text(path.read_text(encoding="utf-8"), str(path), Config(), path, LintOptions())


def _lint_text(text: str):  # type: ignore[no-untyped-def]
    return lint_text(text, "t.json", Config(), None, LintOptions())


def _sarif_results(result, code: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    sarif = json.loads(renderer("sarif")([result]))
    return [r for r in sarif["runs"][0]["results"] if r["ruleId"] == code]


def _lsp_items(result, code: str) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    lsp = json.loads(renderer("lsp")([result]))
    return [i for items in lsp.values() for i in items if i["code"] == code]


def test_a_placeholder_names_each_other_place_it_stands():
    path, result = _lint_fixture("AIB020/one_per_placeholder.json")
    (finding,) = [d for d in result.diagnostics if d.code == "AIB020"]
    assert (finding.line, finding.column) == (5, 15)
    assert [(file, line, column, what) for file, line, column, what in finding.related] == [
        (str(path), 7, 14, "the same placeholder"),
        (str(path), 47, 21, "the same placeholder"),
    ]
    text = path.read_text(encoding="utf-8")
    for _, line, column, _ in finding.related:
        assert text[result.lines.offset(line, column) :].startswith('"<region>"')  # type: ignore[union-attr]
    shown = renderer("text")([result], quiet=True, source=True)
    assert f"  = the same placeholder: {path}:7:14" in shown
    assert f"  = the same placeholder: {path}:47:21" in shown


def test_sarif_and_lsp_carry_every_other_place_of_a_placeholder():
    _, result = _lint_fixture("AIB020/one_per_placeholder.json")
    (found,) = _sarif_results(result, "AIB020")
    regions = [
        (r["physicalLocation"]["region"]["startLine"], r["physicalLocation"]["region"]["startColumn"])
        for r in found["relatedLocations"]
    ]
    assert regions == [(7, 14), (47, 21)]
    assert {r["message"]["text"] for r in found["relatedLocations"]} == {"the same placeholder"}
    (item,) = _lsp_items(result, "AIB020")
    starts = [(i["location"]["range"]["start"]["line"], i["message"]) for i in item["relatedInformation"]]
    assert starts == [(6, "the same placeholder"), (46, "the same placeholder")]  # LSP lines count from 0


def test_a_placeholder_found_once_has_no_related_location():
    _, result = _lint_fixture("AIB020/placeholders.json")
    alone = [d for d in result.diagnostics if d.code == "AIB020" and "(also on" not in d.message]
    assert alone and all(d.related == () for d in alone)


def test_the_related_words_never_carry_the_templates_text():
    # the placeholder's own text (here with an escape sequence) stays in the escaped message only
    template = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "location": "<reg\u001b[31mion>",
        "tags": {"where": "<reg\u001b[31mion>"},
        "properties": {},
    }
    result = _lint_text(json.dumps(template, indent=2))
    (finding,) = [d for d in result.diagnostics if d.code == "AIB020"]
    assert len(finding.related) == 1
    assert "\u001b" not in renderer("text")([result], quiet=True, source=True)


def test_both_inline_and_script_uri_name_the_first_as_related():
    path, result = _lint_fixture("AIB013/exclusive.json")
    (both,) = [d for d in result.diagnostics if d.code == "AIB013" and "has both" in d.message]
    assert (both.line, both.column) == (50, 9)
    ((file, line, column, what),) = both.related
    assert (file, line, what) == (str(path), 47, "`inline` is also given")
    assert path.read_text(encoding="utf-8")[result.lines.offset(line, column) :].startswith('"inline"')  # type: ignore[union-attr]
    assert f"  = `inline` is also given: {path}:47:{column}" in renderer("text")([result], quiet=True, source=True)


def test_other_exclusive_pairs_name_the_other_key():
    path, result = _lint_fixture("AIB013/exclusive.json")
    text = path.read_text(encoding="utf-8")
    related = {d.message: d.related for d in result.diagnostics if d.code == "AIB013"}
    expected = {
        "give either replicationRegions or targetRegions, not both (targetRegions replaces it)": '"replicationRegions"',
        "containerInstanceSubnetId cannot be combined with proxyVmSize (isolated builds use no proxy VM)": '"proxyVmSize"',
        "containerInstanceSubnetId must be in the same VNet as subnetId": '"subnetId"',
    }
    for message, key in expected.items():
        ((_, line, column, _),) = related[message]
        assert text[result.lines.offset(line, column) :].startswith(key), message  # type: ignore[union-attr]
    # neither key given: nothing else to point at
    assert related["Shell step has neither `inline` nor `scriptUri`: give exactly one"] == ()


def test_sarif_and_lsp_carry_the_other_key_of_an_exclusive_pair():
    _, result = _lint_fixture("AIB013/exclusive.json")
    (both,) = [r for r in _sarif_results(result, "AIB013") if "has both" in r["message"]["text"]]
    ((location,),) = [both["relatedLocations"]]
    assert location["physicalLocation"]["region"]["startLine"] == 47
    assert location["message"]["text"] == "`inline` is also given"
    (item,) = [i for i in _lsp_items(result, "AIB013") if "has both" in i["message"]]
    assert [(i["location"]["range"]["start"]["line"], i["message"]) for i in item["relatedInformation"]] == [
        (46, "`inline` is also given")
    ]


def test_a_read_only_value_is_neither_a_finding_nor_an_other_place():
    # the exported identity's principalId and the top-level id are the service's (AIB015): a
    # placeholder there fails nothing and is not listed among the other places either
    template = {
        "type": "Microsoft.VirtualMachineImages/imageTemplates",
        "apiVersion": "2024-02-01",
        "location": "westeurope",
        "id": "/subscriptions/<subscriptionID>/resourceGroups/rg/providers/Microsoft.VirtualMachineImages/imageTemplates/t",
        "identity": {
            "type": "UserAssigned",
            "userAssignedIdentities": {
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id": {
                    "principalId": "<principalId>"
                }
            },
        },
        "properties": {
            "distribute": [
                {
                    "type": "ManagedImage",
                    "imageId": "/subscriptions/<subscriptionID>/resourceGroups/rg/providers/Microsoft.Compute/images/i",
                    "location": "westeurope",
                    "runOutputName": "out",
                }
            ]
        },
    }
    result = _lint_text(json.dumps(template, indent=2))
    assert {d.pointer for d in result.diagnostics if d.code == "AIB015"} >= {
        "/id",
        "/identity/userAssignedIdentities/~1subscriptions~100000000-0000-0000-0000-000000000000~1resourceGroups~1rg~1providers~1Microsoft.ManagedIdentity~1userAssignedIdentities~1id/principalId",
    }
    (finding,) = [d for d in result.diagnostics if d.code == "AIB020"]
    assert finding.pointer == "/properties/distribute/0/imageId"
    assert "also on" not in finding.message and finding.related == ()
