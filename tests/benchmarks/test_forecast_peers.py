"""`make bench-forecast`'s dataset list: one run covers every dataset, each with its series limit."""

import pytest

from benchmarks.forecast_peers import ALL, DEFAULT, parse_datasets


def test_default_run_covers_every_dataset_with_medium_limited() -> None:
    wanted = dict(parse_datasets(",".join(DEFAULT), None))
    assert set(wanted) == set(ALL)
    assert wanted["generated-medium"] == 200
    assert wanted["m3-monthly"] is None


def test_a_dataset_limit_wins_over_the_global_one() -> None:
    assert parse_datasets("m1-monthly, generated-medium:50", 10) == [
        ("m1-monthly", 10),
        ("generated-medium", 50),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [("m9-monthly", "unknown dataset 'm9-monthly'"), ("m3-monthly:0", "positive integer")],
)
def test_bad_names_and_limits_are_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_datasets(text, None)
