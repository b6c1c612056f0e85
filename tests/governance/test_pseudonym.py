"""One masking for every sample a reader sees: the listed columns become keyed tokens, the rest
stays as it was."""

from supplymesh.governance.pseudonym import pii_columns, pseudonymise, pseudonymise_result
from supplymesh.registry import get_product
from supplymesh.validation.report import RuleResult

KEY = bytes(range(32))


def _result() -> RuleResult:
    sample = [
        {"order_id": "SO-1", "customer_id": "C1", "customer_email": "a@example.com"},
        {"order_id": "SO-2", "customer_id": None, "customer_email": "b@example.com"},
    ]
    return RuleResult("sku_in_catalog_products", "sku", "known", 2, "ERROR", "cross", sample)


def test_the_pii_columns_of_a_sample_become_tokens():
    columns = set(pii_columns(get_product("sales.orders").latest))
    masked = pseudonymise_result(_result(), columns, KEY)
    first, second = masked.sample
    assert first["order_id"] == "SO-1"
    assert first["customer_email"] == pseudonymise("a@example.com", KEY) != "a@example.com"
    assert first["customer_id"] == pseudonymise("C1", KEY)
    assert second["customer_id"] is None
    assert (masked.failing_rows, masked.rule) == (2, "sku_in_catalog_products")


def test_a_result_without_pii_columns_is_unchanged():
    assert pseudonymise_result(_result(), set(), KEY) == _result()
