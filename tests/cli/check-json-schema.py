#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check a JSON document against docs/json-schema.json, with python3 alone.

    python3 tests/cli/check-json-schema.py docs/json-schema.json <out.json

implements the part of JSON Schema (2020-12) the schema uses, and refuses a
schema keyword it does not implement, so that no constraint is silently
skipped.  Where the jsonschema package is installed it checks with it too.
Exit 0 when the document conforms; 1 with the first mismatch's path.
"""
import json
import re
import sys

ANNOTATIONS = {"$schema", "$id", "title", "description"}
KEYWORDS = ANNOTATIONS | {"type", "enum", "required", "properties", "additionalProperties",
                          "items", "minItems", "maxItems", "minimum", "maximum",
                          "uniqueItems", "anyOf", "$ref", "$defs", "pattern"}
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


class Mismatch(Exception):
    pass


def resolve(root, ref):
    if not ref.startswith("#/"):
        raise Mismatch("unsupported $ref " + ref)
    node = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def check(root, schema, value, path):
    unknown = set(schema) - KEYWORDS
    if unknown:
        raise Mismatch("schema keyword(s) not implemented: %s" % sorted(unknown))
    if "$ref" in schema:
        check(root, resolve(root, schema["$ref"]), value, path)
    if "type" in schema and not TYPES[schema["type"]](value):
        raise Mismatch("%s: %r is not of type %s" % (path, value, schema["type"]))
    if "enum" in schema and value not in schema["enum"]:
        raise Mismatch("%s: %r is none of %s" % (path, value, schema["enum"]))
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise Mismatch("%s: %r does not match %s" % (path, value, schema["pattern"]))
    if "anyOf" in schema:
        errors = []
        for choice in schema["anyOf"]:
            try:
                check(root, choice, value, path)
                break
            except Mismatch as e:
                errors.append(str(e))
        else:
            raise Mismatch("%s: matches no choice: %s" % (path, "; ".join(errors)))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise Mismatch("%s: %r < %r" % (path, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            raise Mismatch("%s: %r > %r" % (path, value, schema["maximum"]))
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                raise Mismatch("%s: %s missing" % (path, name))
        props = schema.get("properties", {})
        for name, member in value.items():
            if name in props:
                check(root, props[name], member, path + "." + name)
            elif schema.get("additionalProperties") is False:
                raise Mismatch("%s: %s is not in the schema" % (path, name))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise Mismatch("%s: fewer than %d items" % (path, schema["minItems"]))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise Mismatch("%s: more than %d items" % (path, schema["maxItems"]))
        if schema.get("uniqueItems") and len(set(map(json.dumps, value))) != len(value):
            raise Mismatch("%s: items repeat" % path)
        if "items" in schema:
            for i, item in enumerate(value):
                check(root, schema["items"], item, "%s[%d]" % (path, i))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    document = json.load(sys.stdin)
    try:
        check(schema, schema, document, "$")
    except Mismatch as e:
        print("json schema: " + str(e), file=sys.stderr)
        return 1
    try:
        import jsonschema
    except ImportError:
        return 0
    try:
        jsonschema.Draft202012Validator(schema).validate(document)
    except jsonschema.ValidationError as e:
        print("json schema (jsonschema): %s at %s" % (e.message, list(e.absolute_path)),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
