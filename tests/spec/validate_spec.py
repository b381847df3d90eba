#!/usr/bin/env python3
"""Third-party check of the hand-maintained OpenAPI description.

Usage (from the repository root, in a virtualenv with tests/spec/requirements.txt installed):

    python tests/spec/validate_spec.py openapi/sgp-evaluations.yaml

It does three things and exits non-zero if any of them finds a problem, or if it finds no
example at all to check:

1. Validates the document against the OpenAPI 3.0 rules with openapi-spec-validator.
2. Validates every example in the document against its schema with
   openapi-schema-validator's OAS30Validator: media-type `example` and `examples.*.value`
   (request bodies, responses, component responses), parameter and header `example` /
   `examples.*.value`, and schema-level `example`. `$ref`s are resolved through a
   `referencing` registry that holds the whole document, so errors keep their real paths.
3. For every `oneOf` that an example reaches, counts the members the instance matches and
   fails unless it is exactly one. The validator already enforces this for plain `oneOf`; the
   audit also covers discriminated unions (where the validator only follows the mapping) and
   reports ambiguities with the pointer of the `oneOf` and of the instance.

Prints one line per example checked (`ok` or `FAIL`) with its JSON pointer, then one summary
line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterator

import yaml
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import OpenAPIV30SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

DOCUMENT_URI = "urn:openapi-document"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keywords whose values are sub-schemas (single, list, or map of them).
SCHEMA_SINGLE = ("items", "not", "additionalProperties")
SCHEMA_LISTS = ("allOf", "oneOf", "anyOf")
# Validator messages quote the whole instance; keep each failure on one readable line.
MAX_MESSAGE = 300


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer(*tokens: Any) -> str:
    return "".join("/" + escape(str(t)) for t in tokens)


class Check:
    """Collects the results of the example checks and prints them as they come."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT4)
        self.registry = Registry().with_resource(DOCUMENT_URI, resource)
        self.examples_checked = 0
        self.failures = 0
        self.one_of_checks = 0

    # ---- resolution ------------------------------------------------------------------------

    def resolve(self, ptr: str) -> tuple[str, Any]:
        """Follows `$ref`s starting at a JSON pointer; returns the final pointer and node."""
        node = self.lookup(ptr)
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise ValueError(f"unsupported or cyclic $ref {ref!r} at {ptr}")
            seen.add(ref)
            ptr = ref[1:]
            node = self.lookup(ptr)
        return ptr, node

    def lookup(self, ptr: str) -> Any:
        node: Any = self.document
        for raw in ptr.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def validator(self, schema_ptr: str) -> Any:
        return OAS30Validator(
            {"$ref": f"{DOCUMENT_URI}#{schema_ptr}"},
            registry=self.registry,
            format_checker=OAS30Validator.FORMAT_CHECKER,
        )

    # ---- reporting -------------------------------------------------------------------------

    def ok(self, example_ptr: str) -> None:
        print(f"ok    #{example_ptr}")

    def fail(self, example_ptr: str, message: str) -> None:
        self.failures += 1
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        print(f"FAIL  #{example_ptr}: {message}")

    # ---- the checks ------------------------------------------------------------------------

    def check_example(self, example_ptr: str, instance: Any, schema_ptr: str) -> None:
        self.examples_checked += 1
        problems = []
        try:
            json.dumps(instance, allow_nan=False)
        except (TypeError, ValueError) as error:
            problems.append(f"not plain JSON ({error}); quote YAML timestamps")
        if not problems:
            error = best_match(self.validator(schema_ptr).iter_errors(instance))
            if error is not None:
                where = pointer(*error.absolute_path) or "/"
                problems.append(f"at instance {where}: {error.message}")
        if not problems:
            problems.extend(self.one_of_audit(schema_ptr, instance, ""))
        if problems:
            for problem in problems:
                self.fail(example_ptr, problem)
        else:
            self.ok(example_ptr)

    def one_of_audit(self, schema_ptr: str, instance: Any, instance_ptr: str) -> Iterator[str]:
        """Walks a valid instance along its schema; every oneOf must match exactly one member."""
        schema_ptr, schema = self.resolve(schema_ptr)
        if not isinstance(schema, dict):
            return
        if instance is None:
            return
        for keyword in ("allOf", "anyOf", "oneOf"):
            members = schema.get(keyword, [])
            matching = [
                pointer_of_member
                for pointer_of_member in (f"{schema_ptr}/{keyword}/{i}" for i in range(len(members)))
                if self.validator(pointer_of_member).is_valid(instance)
            ]
            if keyword == "oneOf" and members:
                self.one_of_checks += 1
                if len(matching) != 1:
                    yield (
                        f"at instance {instance_ptr or '/'}: oneOf #{schema_ptr}/oneOf matches "
                        f"{len(matching)} members ({', '.join('#' + m for m in matching) or 'none'})"
                    )
                    continue
            for member_ptr in matching:
                yield from self.one_of_audit(member_ptr, instance, instance_ptr)
        if isinstance(instance, dict):
            properties = schema.get("properties", {})
            additional = schema.get("additionalProperties")
            for key, value in instance.items():
                child = instance_ptr + pointer(key)
                if key in properties:
                    yield from self.one_of_audit(f"{schema_ptr}/properties/{escape(key)}", value, child)
                elif isinstance(additional, dict):
                    yield from self.one_of_audit(f"{schema_ptr}/additionalProperties", value, child)
        if isinstance(instance, list) and isinstance(schema.get("items"), dict):
            for index, value in enumerate(instance):
                yield from self.one_of_audit(f"{schema_ptr}/items", value, f"{instance_ptr}/{index}")

    def check_examples_of(self, node_ptr: str, node: dict[str, Any], schema_ptr: str) -> None:
        """Checks `example` and `examples.*.value` of a media type, parameter or header."""
        if "example" in node:
            self.check_example(f"{node_ptr}/example", node["example"], schema_ptr)
        for name in node.get("examples", {}) or {}:
            example_ptr, example = self.resolve(f"{node_ptr}/examples/{escape(name)}")
            if "value" in example:
                self.check_example(f"{example_ptr}/value", example["value"], schema_ptr)
            else:
                self.fail(f"{node_ptr}/examples/{escape(name)}", "example has no inline value")

    def check_content(self, content_ptr: str, content: dict[str, Any]) -> None:
        for media_type, media in content.items():
            media_ptr = f"{content_ptr}/{escape(media_type)}"
            if "schema" in media:
                self.check_examples_of(media_ptr, media, f"{media_ptr}/schema")
                self.check_schema_examples(f"{media_ptr}/schema", set())
            elif "example" in media or "examples" in media:
                self.fail(media_ptr, "examples without a schema")

    def check_parameter_like(self, ptr: str) -> None:
        """A parameter or header object (possibly a $ref)."""
        ptr, node = self.resolve(ptr)
        if "schema" in node:
            self.check_examples_of(ptr, node, f"{ptr}/schema")
            self.check_schema_examples(f"{ptr}/schema", set())
        if "content" in node:
            self.check_content(f"{ptr}/content", node["content"])

    def check_response(self, ptr: str) -> None:
        ptr, response = self.resolve(ptr)
        for name in response.get("headers", {}) or {}:
            self.check_parameter_like(f"{ptr}/headers/{escape(name)}")
        if "content" in response:
            self.check_content(f"{ptr}/content", response["content"])

    def check_schema_examples(self, schema_ptr: str, visited: set[str]) -> None:
        """Checks schema-level `example`s in a schema tree (each schema pointer once)."""
        if schema_ptr in visited:
            return
        visited.add(schema_ptr)
        schema = self.lookup(schema_ptr)
        if not isinstance(schema, dict) or "$ref" in schema:
            return
        if "example" in schema:
            self.check_example(f"{schema_ptr}/example", schema["example"], schema_ptr)
        for keyword in SCHEMA_SINGLE:
            if isinstance(schema.get(keyword), dict):
                self.check_schema_examples(f"{schema_ptr}/{keyword}", visited)
        for keyword in SCHEMA_LISTS:
            for index in range(len(schema.get(keyword, []))):
                self.check_schema_examples(f"{schema_ptr}/{keyword}/{index}", visited)
        for name in schema.get("properties", {}):
            self.check_schema_examples(f"{schema_ptr}/properties/{escape(name)}", visited)

    def run(self) -> None:
        components = self.document.get("components", {})
        visited: set[str] = set()
        for name in components.get("schemas", {}):
            self.check_schema_examples(pointer("components", "schemas", name), visited)
        for name in components.get("parameters", {}):
            self.check_parameter_like(pointer("components", "parameters", name))
        for name in components.get("headers", {}):
            self.check_parameter_like(pointer("components", "headers", name))
        for name in components.get("responses", {}):
            self.check_response(pointer("components", "responses", name))
        for name in components.get("requestBodies", {}):
            body = components["requestBodies"][name]
            self.check_content(pointer("components", "requestBodies", name, "content"), body.get("content", {}))
        for path, item in self.document.get("paths", {}).items():
            for index, parameter in enumerate(item.get("parameters", [])):
                if "$ref" not in parameter:
                    self.check_parameter_like(pointer("paths", path, "parameters", index))
            for method in HTTP_METHODS:
                operation = item.get(method)
                if operation is None:
                    continue
                op_ptr = pointer("paths", path, method)
                for index, parameter in enumerate(operation.get("parameters", [])):
                    if "$ref" not in parameter:  # component parameters are checked once above
                        self.check_parameter_like(f"{op_ptr}/parameters/{index}")
                body = operation.get("requestBody")
                if body is not None and "$ref" not in body:
                    self.check_content(f"{op_ptr}/requestBody/content", body.get("content", {}))
                for status, response in operation.get("responses", {}).items():
                    if "$ref" not in response:  # component responses are checked once above
                        self.check_response(f"{op_ptr}/responses/{escape(str(status))}")


def validate_document(document: dict[str, Any]) -> list[str]:
    """Returns the openapi-spec-validator errors, each with its JSON pointer."""
    errors = []
    for error in OpenAPIV30SpecValidator(document).iter_errors():
        where = pointer(*error.absolute_path) or "/"
        errors.append(f"#{where}: {error.message}")
    return errors


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} OPENAPI_YAML", file=sys.stderr)
        return 2
    text = Path(argv[1]).read_text(encoding="utf-8")
    document = yaml.safe_load(text)

    if document.get("openapi") != "3.0.3":
        print(f"FAIL  #/openapi: expected 3.0.3, found {document.get('openapi')!r}")
        return 1
    spec_errors = validate_document(document)
    for message in spec_errors:
        print(f"FAIL  {message}")
    if not spec_errors:
        print("ok    openapi-spec-validator: the document is valid OpenAPI 3.0")

    check = Check(document)
    check.run()

    failed = len(spec_errors) + check.failures
    if check.examples_checked == 0:
        # A document (or a change to this walk) that leaves nothing to check must not read as a pass.
        print("FAIL  no example found to check: the walk reached none, so nothing was validated")
        failed += 1
    print(
        f"{'FAILED' if failed else 'PASSED'}: openapi-spec-validator {len(spec_errors)} errors; "
        f"{check.examples_checked} examples checked, {check.failures} failed; "
        f"{check.one_of_checks} oneOf matches audited"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
