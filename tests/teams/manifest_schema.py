"""The Teams app manifest schema v1.30, offline: from a pinned npm tarball, checked first.

Microsoft publishes the schema in npm `@microsoft/app-manifest`
(`build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json`, draft-04). Node need not be
installed: the tarball comes straight from the registry over HTTPS, once, and is kept in
`$XDG_CACHE_HOME/iso20k-tests/` (default `~/.cache/iso20k-tests/`), outside the repository.
The tarball, not the extracted file, is cached so that its sha512 can be checked against the
registry's pinned `dist.integrity` on every use; only the schema file is read out of it.

The pin: 1.1.2 is the newest release (dist-tag latest, 2026-09-03) and ships v1.30; its
integrity is the registry's (https://registry.npmjs.org/@microsoft%2fapp-manifest).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import urllib.request
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

NPM_VERSION = "1.1.2"
# dist.integrity: "sha512-" and the tarball's SHA-512, base64.
INTEGRITY = "sha512-" + (
    "uXdmYzhIcchi3Tc9Sh3pTDMe55zy7ge19bnYCGB1gzuyha85Ii7wfdTruwEhqseaX9pwsWDRB5Ot/ltv0rCONw=="
)
TARBALL_URL = f"https://registry.npmjs.org/@microsoft/app-manifest/-/app-manifest-{NPM_VERSION}.tgz"
MEMBER = "package/build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json"


class SchemaUnavailable(Exception):
    """The tarball could not be downloaded (no network, registry down)."""


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "iso20k-tests"


def _intact(data: bytes) -> bool:
    algorithm, _, digest = INTEGRITY.partition("-")
    return base64.b64encode(hashlib.new(algorithm, data).digest()).decode() == digest


def tarball() -> bytes:
    """The pinned tarball, from the cache or the registry; never used unless intact."""
    path = cache_dir() / f"app-manifest-{NPM_VERSION}.tgz"
    if path.exists():
        data = path.read_bytes()
        if _intact(data):
            return data
        path.unlink()  # a broken or tampered copy: fetch it again
    try:
        with urllib.request.urlopen(TARBALL_URL, timeout=60) as response:
            data = response.read()
    except OSError as exc:  # URLError, timeouts and resets are all OSErrors
        raise SchemaUnavailable(f"cannot download {TARBALL_URL}: {exc}") from exc
    # Not a passing network fault: the registry served other bytes than the pin. Fail loudly.
    assert _intact(data), f"{TARBALL_URL} does not match the pinned integrity {INTEGRITY}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as part:
        part.write(data)
    os.replace(part.name, path)  # atomic: a parallel run never reads half a file
    return data


@cache
def schema() -> dict[str, Any]:
    with tarfile.open(fileobj=io.BytesIO(tarball()), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        assert member is not None, f"{MEMBER} is not a file in the tarball"
        loaded: dict[str, Any] = json.load(member)
    return loaded


def external_refs(node: Any) -> list[str]:
    """Every `$ref` that points outside the schema file (none, in v1.30)."""
    if isinstance(node, dict):
        found = [node["$ref"]] if not str(node.get("$ref", "#")).startswith("#") else []
        return found + [r for value in node.values() for r in external_refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in external_refs(value)]
    return []


def _offline(uri: str) -> Resource[Any]:
    # Nothing is fetched: a $ref to another file would fail here rather than go online.
    raise NoSuchResource(ref=uri)


def _is_uri(value: object) -> bool:
    # jsonschema checks "uri" only with rfc3987 installed, and skips it silently otherwise;
    # this is the part of RFC 3986 that matters here: a scheme, and no spaces.
    if not isinstance(value, str):
        return True
    return bool(urlsplit(value).scheme) and not any(c.isspace() for c in value)


# Patterns written for JavaScript that Python's `re` cannot compile, and what Python reads
# instead. v1.30 has one, in the Office add-in extensions (custom function names) a bot never
# uses: `\p{L}` (a Unicode letter) becomes `[^\W\d_]` (a word character other than a digit
# or underscore: letters, and the rare non-decimal numerals). A new one fails the tests.
PATTERNS_FOR_PYTHON = {
    "definitions/extensionFunction/properties/name": (
        r"^[\p{L}][\p{L}0-9._]*$",
        r"^[^\W\d_](?:[^\W\d_]|[0-9._])*$",
    ),
}


def uncompilable_patterns(node: Any, path: str = "") -> dict[str, str]:
    """Every `pattern` in the schema that Python's `re` cannot compile, by its path."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                try:
                    re.compile(value)
                except re.error:
                    found[path] = value
            else:
                found |= uncompilable_patterns(value, f"{path}/{key}".lstrip("/"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found |= uncompilable_patterns(value, f"{path}/{index}")
    return found


def for_python(loaded: dict[str, Any]) -> dict[str, Any]:
    """The schema with each pattern of PATTERNS_FOR_PYTHON in its Python form."""
    found = uncompilable_patterns(loaded)
    assert found == {path: js for path, (js, _) in PATTERNS_FOR_PYTHON.items()}, found
    translated = copy.deepcopy(loaded)
    for path, (_, python) in PATTERNS_FOR_PYTHON.items():
        node = translated
        for key in path.split("/"):
            node = node[key]
        node["pattern"] = python
    return translated


@cache
def validator() -> Draft4Validator:
    loaded = for_python(schema())
    Draft4Validator.check_schema(loaded)  # with format checking: every pattern compiles
    # Every $ref in v1.30 is local ("#/definitions/…"); anything else would be refused.
    registry: Registry[Any] = Registry(retrieve=_offline)
    formats = copy.deepcopy(Draft4Validator.FORMAT_CHECKER)
    formats.checks("uri")(_is_uri)
    return Draft4Validator(loaded, registry=registry, format_checker=formats)
