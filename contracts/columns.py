"""A shorthand for contract columns: every column carries a description and a classification."""

from typing import Any, Literal

import pandera.pandas as pa

Classification = Literal["public", "internal", "confidential", "pii"]


def column(description: str, classification: Classification = "internal", **checks: Any) -> Any:
    """A pandera ``Field`` whose metadata records the column's classification.

    Classification decides what each consumer role sees (PII is masked for analysts), so no
    column may be declared without one.
    """
    return pa.Field(description=description, metadata={"classification": classification}, **checks)
