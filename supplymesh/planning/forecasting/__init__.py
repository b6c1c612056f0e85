"""The demand forecast: a global gradient-boosted model over lag, calendar and price features.

* ``features``: origin-safe features of the daily mart and of a user's own history.
* ``model``: ``DemandModel`` (P50 and P90) and its fit.
* ``forecast``: forecasts with a fitted model, holdout scores and error spreads.
* ``baseline``, ``metrics``: seasonal naive and moving average; MASE, WAPE, bias, coverage.
* ``peers``: the statistical peers (statsforecast's AutoETS, AutoTheta, CrostonSBA, TSB, ADIDA).
* ``backtest``, ``backtest_table``, ``history_backtest``: rolling-origin backtests of the mart
  and of any history, every method on the same origins; the published table of one.
* ``datasets``: real data to backtest on (M3, Tourism, Complete Journey), from packages.
* ``accuracy``: accuracy of published forecasts as their actuals arrive.

Choosing among the model and the peers per demand class is ``planning.forecast_choice``'s.
"""
