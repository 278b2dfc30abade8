"""Shopify's Admin GraphQL schema, as vendored in ``resources/shopify`` (see its README)."""

from __future__ import annotations

import functools
import gzip
import json
import re
from pathlib import Path

from graphql import GraphQLSchema, build_client_schema

from returnsdesk.paths import resources_dir

_VERSION = re.compile(r"^\d{4}-(01|04|07|10)$")


def admin_schema_path(api_version: str) -> Path:
    if not _VERSION.match(api_version):
        raise ValueError(f"Shopify API versions look like 2026-10, not {api_version!r}")
    return resources_dir() / "shopify" / f"admin_{api_version}.json.gz"


@functools.cache
def admin_schema(api_version: str) -> GraphQLSchema:
    """The schema of ``api_version`` (about 0.7 s to build; built once per process)."""
    with gzip.open(admin_schema_path(api_version), "rb") as stream:
        document = json.load(stream)
    return build_client_schema(document["data"])
