"""The model life cycle's own check: the challenger's bias by segment, as the gate judged it."""

from __future__ import annotations

import dagster as dg

from supplymesh.planning.model_lifecycle.training import Challenger, TrainingConfig

SEGMENT_BIAS = "segment_bias"


def segment_bias_spec(models: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        SEGMENT_BIAS,
        asset=models,
        description="No region or product category's backtest error (MASE relative to the "
        "seasonal naive's) exceeds the overall one by more than the configured ratio "
        "(segments under the minimum volume share or series count are reported, not judged).",
    )


def segment_bias_check(
    models: dg.AssetKey, challenger: Challenger, training: TrainingConfig
) -> dg.AssetCheckResult:
    """Expected: no segment over the ratio; found: the worst segment and every failure."""
    segments = challenger.segments
    worst, ratio = segments.worst
    return dg.AssetCheckResult(
        asset_key=models,
        check_name=SEGMENT_BIAS,
        passed=segments.passed,
        metadata={
            "max_error_ratio": training.segments.max_error_ratio,
            "measure": segments.measure,
            "overall_error": segments.overall_error,
            "worst_segment": worst,
            "worst_error_ratio": ratio,
            "failures": dg.MetadataValue.md(
                "\n".join(f"- {f}" for f in segments.failures) or "none"
            ),
        },
    )
