"""Every GraphQL document the Shopify connector sends, and the inputs it builds, checked
against Shopify's real Admin API schema (vendored from @shopify/dev-mcp, resources/shopify)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate
from graphql.execution.values import get_variable_values

from returnsdesk.services.sync.shopify import (
    DEFAULT_API_VERSION,
    DISPOSITION_TYPES,
    DOCUMENTS,
    INVENTORY_STATES,
)
from returnsdesk.services.sync.shopify_schema import admin_schema


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return admin_schema(DEFAULT_API_VERSION)


def variable_errors(schema: GraphQLSchema, document: str, variables: dict[str, Any]) -> list[str]:
    operation = parse(document).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    result = get_variable_values(schema, operation.variable_definitions, variables)
    return [] if isinstance(result, dict) else [error.message for error in result]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_the_connector_sends_is_valid_against_shopifys_schema(
    schema: GraphQLSchema, name: str
) -> None:
    errors = validate(schema, parse(DOCUMENTS[name]))
    assert [error.message for error in errors] == []


def test_an_unknown_field_argument_or_enum_fails_the_check(schema: GraphQLSchema) -> None:
    # The check itself must be able to fail: a misspelt field, argument and enum value.
    broken = {
        DOCUMENTS["pull"].replace("currencyCode\n      email", "currency\n      email"): "currency",
        DOCUMENTS["pull"].replace("sortKey: UPDATED_AT", "sortKey: UPDATED"): "UPDATED",
        DOCUMENTS["order"].replace("orders(first: 1,", "orders(first: 1, limit: 1,"): "limit",
        DOCUMENTS["returnProcess"].replace("@idempotent(key: $key)", "@idempotent(id: $key)"): "id",
    }
    for document, word in broken.items():
        messages = [error.message for error in validate(schema, parse(document))]
        assert any(word in message for message in messages), (word, messages)


def test_the_dispositions_the_connector_sends_are_shopifys_enum_values(
    schema: GraphQLSchema,
) -> None:
    for disposition_type in set(DISPOSITION_TYPES.values()):
        variables = {
            "key": "k",
            "input": {
                "returnId": "gid://shopify/Return/1",
                "returnLineItems": [
                    {
                        "id": "gid://shopify/ReturnLineItem/1",
                        "quantity": 1,
                        "dispositions": [
                            {
                                "dispositionType": disposition_type,
                                "quantity": 1,
                                "reverseFulfillmentOrderLineItemId": "gid://shopify/X/1",
                                "locationId": "gid://shopify/Location/1",
                            }
                        ],
                    }
                ],
                "financialTransfer": {
                    "issueRefund": {
                        "orderTransactions": [
                            {
                                "parentId": "gid://shopify/OrderTransaction/1",
                                "transactionAmount": {"amount": "10.00", "currencyCode": "EUR"},
                            }
                        ]
                    }
                },
            },
        }
        assert variable_errors(schema, DOCUMENTS["returnProcess"], variables) == []
    wrong = {
        "key": "k",
        "input": {
            "returnId": "x",
            "returnLineItems": [
                {
                    "id": "x",
                    "quantity": 1,
                    "dispositions": [
                        {
                            "dispositionType": "RESTOCK",
                            "quantity": 1,
                            "reverseFulfillmentOrderLineItemId": "x",
                        }
                    ],
                }
            ],
        },
    }
    assert any("RESTOCK" in m for m in variable_errors(schema, DOCUMENTS["returnProcess"], wrong))
    assert {state for state in INVENTORY_STATES.values() if state} == {
        ("quality_control", "quality_control"),
        ("damaged", "damaged"),
    }
