"""ml.forecast_models v1: the demand-model registry, one row per trained model version."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from contracts.columns import column

STATUSES = ["candidate", "champion", "retired"]
DECISIONS = ["promoted", "approved", "awaiting_approval", "rejected", "superseded", "replaced"]


class ForecastModelsV1(pa.DataFrameModel):
    """A trained demand-model version: its recipe, data, evidence and place in the life cycle."""

    model_version: Series[str] = column("Model version id (fm-<trained UTC>-<hash>).", unique=True)
    status: Series[str] = column(
        "Life-cycle status: candidate (not serving), champion (serving) or retired.",
        isin=STATUSES,
    )
    decision: Series[str] = column(
        "Outcome of the champion/challenger gate or of a human decision.",
        nullable=True,
        isin=DECISIONS,
    )
    decision_reason: Series[str] = column("Why the gate or a person decided so.", nullable=True)
    decided_by: Series[str] = column("Gate or person (human:<name>) that decided.", nullable=True)
    decided_at: Series[pa.DateTime] = column("When the decision was made (UTC).", nullable=True)
    promoted_by: Series[str] = column("Who or what made it champion.", nullable=True)
    promoted_at: Series[pa.DateTime] = column("When it became champion (UTC).", nullable=True)
    approval_required: Series[bool] = column("Whether promotion needed a human approval.")
    approved_by: Series[str] = column("Person who approved the promotion.", nullable=True)
    approved_at: Series[pa.DateTime] = column("When it was approved (UTC).", nullable=True)
    retired_at: Series[pa.DateTime] = column(
        "When it stopped serving or was rejected.", nullable=True
    )
    trained_at: Series[pa.DateTime] = column("When it was trained (UTC).")
    training_as_of: Series[pa.Date] = column("Last day of history it was trained on.")
    training_snapshots: Series[str] = column(
        "JSON: snapshot id of every product its training features came from."
    )
    training_rows: Series[int] = column("Training rows (non-stock-out history days).", ge=0)
    params: Series[str] = column("JSON: the hyper-parameters (recipe) of the model.")
    feature_importances: Series[str] = column(
        "JSON: grouped permutation importance (MAE increase) per feature group."
    )
    backtest_origins: Series[int] = column("Rolling origins of its backtest.", ge=1)
    backtest_mase: Series[float] = column("Backtest MASE (mean over series).", ge=0)
    backtest_mase_total: Series[float] = column(
        "Backtest MASE of the network total.", nullable=True
    )
    backtest_wape: Series[float] = column("Backtest WAPE.", ge=0)
    backtest_bias: Series[float] = column("Backtest relative bias (> 0 over-forecasts).")
    backtest_p90_coverage: Series[float] = column("Share of actuals at or below P90.", ge=0, le=1)
    seasonal_naive_mase: Series[float] = column("Seasonal-naive MASE on the same backtest.", ge=0)
    moving_average_mase: Series[float] = column("Moving-average MASE on the same backtest.", ge=0)
    forecaster_backtest_mase: Series[float] = column(
        "MASE of the forecaster choosing per demand class among the model, baselines and peers "
        "(backtest origins past its warm-up; rows every method forecast).",
        nullable=True,
        ge=0,
    )
    forecaster_p90_coverage: Series[float] = column(
        "Share of actuals at or below the forecaster's conformal P90 on the same rows.",
        nullable=True,
        ge=0,
        le=1,
    )
    forecaster_choice: Series[str] = column(
        "JSON: the forecaster's serving choice per demand class, the origins and rows its "
        "figures are on, and the model's MASE on those rows.",
        nullable=True,
    )
    canary_window_start: Series[pa.Date] = column("First day of the canary (A/B) window.")
    canary_mase: Series[float] = column("MASE on the canary window.", ge=0)
    champion_version: Series[str] = column(
        "Champion it was compared with on the canary window.", nullable=True
    )
    champion_canary_mase: Series[float] = column(
        "The champion recipe's MASE on the same canary window.", nullable=True
    )
    bias_check_passed: Series[bool] = column("Whether no region or category failed the bias check.")
    worst_segment: Series[str] = column("Segment with the highest error ratio.", nullable=True)
    worst_segment_error_ratio: Series[float] = column(
        "That segment's WAPE over the overall WAPE.", nullable=True
    )
    search_seconds: Series[float] = column("Hyper-parameter search time.", ge=0)
    backtest_seconds: Series[float] = column("Backtest time.", ge=0)
    fit_seconds: Series[float] = column("Final fit time.", ge=0)
    artifact_path: Series[str] = column("Pickled model under MESH_HOME/models.")
    artifact_sha256: Series[str] = column(
        "SHA-256 of the pickle; loading refuses a mismatch.", str_matches=r"^[0-9a-f]{64}$"
    )

    @pa.dataframe_check(name="at_most_one_champion", error="at most one champion")
    def one_champion(cls, df):
        """Exactly one version serves at a time (none before the first approval)."""
        return pd.Series((df["status"] == "champion").sum() <= 1, index=df.index, dtype=bool)

    @pa.dataframe_check(name="approval_named", error="approved rows name approver and time")
    def approvals_recorded(cls, df):
        """An approval is only an approval with a name and a time."""
        approved = df["decision"] == "approved"
        return ~approved | (df["approved_by"].notna() & df["approved_at"].notna())

    class Config:
        name = "ml.forecast_models v1"
        strict = True
