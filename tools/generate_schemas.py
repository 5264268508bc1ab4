"""Generate schemas/<apiVersion>.json from the AIB REST API specifications (swagger).

    python tools/generate_schemas.py [--reference DIR]   # write schemas/
    python tools/generate_schemas.py --check             # fail if schemas/ is stale

Input: ``../shared/reference/swagger/<version>/imagebuilder.json`` (and the common-types
extract). Output: one JSON Schema (draft 2020-12) per API version for the *image template
resource*, as a template author writes it:

- polymorphic types (source, customizer, validator, distributor, versioning) dispatch on
  their discriminator with ``if``/``then``: the ``if`` matches the value in any letter case,
  so a ``"type": "shell"`` is checked as a Shell customizer while the base's exact ``enum``
  reports the case (AIB014) instead of a confusing "matches no branch";
- every object is closed (``additionalProperties: false``), the way the service behaves
  from 2024-02-01; read-only properties are left out of the input schema and listed in
  ``x-aiblint-readonly`` (AIB015 reports them);
- ``x-aiblint-def`` names the swagger definition behind each object, so messages and the
  "exists in a newer version" hint can refer to it;
- ``schemas/patches.json`` holds the few constraints the swagger states only in prose
  (each with its source), applied last.

The output is deterministic: keys are written sorted, and running it twice changes nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference"
SCHEMAS = ROOT / "schemas"
PATCHES = SCHEMAS / "patches.json"

# ARM's own resource keys: never unknown in a template (rules.md, "What a file is").
ARM_RESOURCE_KEYS = [
    "dependsOn",
    "condition",
    "copy",
    "comments",
    "scope",
    "resources",
    "sku",
    "kind",
    "plan",
    "zones",
    "metadata",
]
KEEP = ("type", "enum", "minimum", "maximum", "pattern", "default", "description", "minItems", "maxItems")


class Generator:
    def __init__(self, swagger: dict[str, Any], common: dict[str, Any], version: str) -> None:
        self.defs_in = swagger["definitions"]
        self.common = common["definitions"]
        self.version = version
        self.defs_out: dict[str, Any] = {}
        self.subtypes: dict[str, list[tuple[str, str]]] = {}
        for name, definition in self.defs_in.items():
            value = definition.get("x-ms-discriminator-value")
            for parent in definition.get("allOf", []):
                ref = parent.get("$ref", "")
                if value and ref.startswith("#/definitions/"):
                    self.subtypes.setdefault(ref.split("/")[-1], []).append((value, name))

    # -- references -------------------------------------------------------------------
    def lookup(self, ref: str) -> tuple[str, dict[str, Any]]:
        name = ref.split("/")[-1]
        if ref.startswith("#/definitions/"):
            return name, self.defs_in[name]
        if name == "systemData":
            name = "SystemData"
        return name, self.common[name]

    def flatten(self, definition: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
        """Properties, required and read-only names of a definition with its allOf bases."""
        properties: dict[str, Any] = {}
        required: list[str] = []
        readonly: list[str] = []
        for parent in definition.get("allOf", []):
            _, base = self.lookup(parent["$ref"])
            p, r, ro = self.flatten(base)
            properties.update(p)
            required += r
            readonly += ro
        for key, value in definition.get("properties", {}).items():
            if value.get("readOnly"):
                readonly.append(key)
                properties.pop(key, None)
            else:
                properties[key] = value
        required += definition.get("required", [])
        return properties, sorted(set(required) - set(readonly)), sorted(set(readonly))

    # -- conversion -------------------------------------------------------------------
    def convert(self, schema: dict[str, Any], where: str) -> dict[str, Any]:
        if "$ref" in schema:
            name, target = self.lookup(schema["$ref"])
            self.define(name, target)
            out: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
            if "description" in schema:
                out["description"] = schema["description"]
            return out
        kind = schema.get("type")
        if kind == "object" or "properties" in schema or "allOf" in schema:
            if "properties" in schema or "allOf" in schema:
                return self.object_schema(schema, where)
            if "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
                out = {"type": "object", "additionalProperties": self.convert(schema["additionalProperties"], where + "[*]")}
                if "description" in schema:
                    out["description"] = schema["description"]
                return out
            return {k: v for k, v in schema.items() if k in KEEP}
        if kind == "array":
            out = {k: v for k, v in schema.items() if k in KEEP}
            if "items" in schema:
                out["items"] = self.convert(schema["items"], where + "[]")
            return out
        return {k: v for k, v in schema.items() if k in KEEP}

    def object_schema(self, definition: dict[str, Any], name: str) -> dict[str, Any]:
        properties, required, readonly = self.flatten(definition)
        out: dict[str, Any] = {
            "type": "object",
            "properties": {key: self.convert(value, f"{name}.{key}") for key, value in properties.items()},
            "additionalProperties": False,
            "x-aiblint-def": name,
        }
        if required:
            out["required"] = required
        if readonly:
            out["x-aiblint-readonly"] = readonly
        if "description" in definition:
            out["description"] = definition["description"]
        return out

    def define(self, name: str, definition: dict[str, Any]) -> None:
        if name in self.defs_out:
            return
        self.defs_out[name] = {}  # reserve: definitions may refer to themselves
        discriminator = definition.get("discriminator")
        if discriminator and name in self.subtypes:
            self.defs_out[name] = self.dispatcher(name, definition, discriminator)
        elif "properties" in definition or "allOf" in definition:
            self.defs_out[name] = self.object_schema(definition, name)
        else:  # a map (additionalProperties) or a named string enum
            self.defs_out[name] = self.convert(definition, name)

    def dispatcher(self, name: str, definition: dict[str, Any], discriminator: str) -> dict[str, Any]:
        branches = sorted(self.subtypes[name])
        values = [value for value, _ in branches]
        rules = []
        for value, subtype in branches:
            self.define(subtype, self.defs_in[subtype])
            rules.append(
                {
                    "if": {"properties": {discriminator: {"pattern": f"^(?i:{value})$"}}, "required": [discriminator]},
                    "then": {"$ref": f"#/$defs/{subtype}"},
                }
            )
            branch = self.defs_out[subtype]
            branch["properties"][discriminator] = {"type": "string", "description": f"'{value}'"}
            branch["x-aiblint-discriminator"] = value
        out = {
            "type": "object",
            "required": [discriminator],
            "properties": {discriminator: {"type": "string", "enum": values}},
            "allOf": rules,
            "x-aiblint-def": name,
            "x-aiblint-dispatch": discriminator,
        }
        if "description" in definition:
            out["description"] = definition["description"]
        return out

    # -- the resource -----------------------------------------------------------------
    def resource(self) -> dict[str, Any]:
        template = self.defs_in["ImageTemplate"]
        self.define("ImageTemplateProperties", self.defs_in["ImageTemplateProperties"])
        properties: dict[str, Any] = {
            "type": {"type": "string", "description": "Microsoft.VirtualMachineImages/imageTemplates"},
            "apiVersion": {"type": "string"},
            "name": {"type": "string", "description": "The image template name"},
            "location": {"type": "string", "description": "The geo-location where the resource lives"},
            "tags": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Resource tags."},
            "properties": {"$ref": "#/$defs/ImageTemplateProperties"},
        }
        required = ["properties"]
        identity_ref = template.get("properties", {}).get("identity")
        if identity_ref is not None:
            properties["identity"] = self.convert(identity_ref, "ImageTemplate.identity")
        if "identity" in template.get("required", []):
            required.append("identity")
        bases = [self.lookup(p["$ref"])[1] for p in template.get("allOf", [])]
        if any(
            "location" in b.get("required", [])
            or any("location" in self.lookup(x["$ref"])[1].get("required", []) for x in b.get("allOf", []))
            for b in bases
        ):
            required.append("location")
        for key in ARM_RESOURCE_KEYS:
            properties[key] = {"description": "ARM resource key"}
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"urn:aiblint:imagetemplate:{self.version}",
            "title": f"Azure VM Image Builder image template, apiVersion {self.version}",
            "type": "object",
            "properties": properties,
            "required": sorted(required),
            "additionalProperties": False,
            "x-aiblint-def": "ImageTemplate",
            "x-aiblint-readonly": ["id", "systemData"],
            "$defs": self.defs_out,
        }


def apply_patches(schema: dict[str, Any], patches: list[dict[str, Any]], version: str) -> None:
    for patch in patches:
        since, until = patch.get("since"), patch.get("until")
        if (since and version < since) or (until and version > until):
            continue
        target = schema["$defs"].get(patch["def"]) if patch["def"] != "ImageTemplate" else schema
        if target is None:
            continue
        if "property" in patch:
            prop = target.get("properties", {}).get(patch["property"])
            if prop is None:
                continue
            prop.update(copy.deepcopy(patch["set"]))
        if "required" in patch:
            present = set(target.get("properties", {}))
            target["required"] = sorted(set(target.get("required", [])) | (set(patch["required"]) & present))


def generate(reference: Path) -> dict[str, str]:
    swagger_root = reference / "swagger"
    common = json.loads(
        (swagger_root / "common-types" / "resource-management" / "v3" / "types.subset.json").read_text(encoding="utf-8")
    )
    patches = json.loads(PATCHES.read_text(encoding="utf-8"))["patches"]
    outputs: dict[str, str] = {}
    versions = sorted(p.name for p in swagger_root.iterdir() if (p / "imagebuilder.json").is_file())
    for version in versions:
        swagger = json.loads((swagger_root / version / "imagebuilder.json").read_text(encoding="utf-8"))
        schema = Generator(swagger, common, version).resource()
        apply_patches(schema, patches, version)
        outputs[f"{version}.json"] = json.dumps(schema, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    index = {"versions": versions, "generated_from": "shared/reference/swagger (see shared/reference/README.md)"}
    outputs["index.json"] = json.dumps(index, indent=1, sort_keys=True) + "\n"
    return outputs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--check", action="store_true", help="exit 1 if schemas/ differs from what would be generated")
    args = parser.parse_args(argv)
    if not (args.reference / "swagger").is_dir():
        print(f"generate_schemas: {args.reference}/swagger not found; nothing to check", file=sys.stderr)
        return 0 if args.check else 2
    outputs = generate(args.reference)
    stale = [
        name
        for name, text in outputs.items()
        if not (SCHEMAS / name).is_file() or (SCHEMAS / name).read_text(encoding="utf-8") != text
    ]
    if args.check:
        if stale:
            print(f"generate_schemas: stale: {', '.join(stale)} (run python tools/generate_schemas.py)", file=sys.stderr)
            return 1
        print(f"generate_schemas: {len(outputs)} files current")
        return 0
    for name in stale:
        (SCHEMAS / name).write_text(outputs[name], encoding="utf-8")
    print(f"generate_schemas: wrote {len(stale)} of {len(outputs)} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
