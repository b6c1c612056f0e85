"""A failed step's error in words: the wrapper, then each cause, innermost last."""

import sys

from dagster._utils.error import serializable_error_info_from_exc_info

from orchestration.openlineage.run_log import error_text


def test_every_cause_is_named_innermost_last() -> None:
    try:
        try:
            raise ValueError("sales.orders: column quantity fails rule >= 0 (3 rows)")
        except ValueError as cause:
            raise RuntimeError("Error occurred while executing op sales__orders") from cause
    except RuntimeError:
        info = serializable_error_info_from_exc_info(sys.exc_info())
    assert error_text(info) == (
        "RuntimeError: Error occurred while executing op sales__orders\n"
        "  caused by: ValueError: sales.orders: column quantity fails rule >= 0 (3 rows)"
    )
