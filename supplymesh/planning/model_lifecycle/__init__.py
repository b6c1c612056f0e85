"""The demand model's life cycle: search, challenger, gate, registry and monitoring.

* ``tuning``: bounded hyper-parameter search scored by MASE over day folds.
* ``training``: a challenger (search, backtest, final fit, importances, drift reference).
* ``explain``, ``segments``: grouped permutation importance; bias checks per segment.
* ``champion_challenger``: the promotion decision (margin, bias, optional human approval).
* ``model_registry``: the ``ml.forecast_models`` registry and the model artifacts on disk.
* ``drift``: PSI and KS drift of features and target against the training reference.
* ``challenger_round``: one round: the challenger against the champion, decided and recorded.
* ``serving``: the serving champion, its forecast with its measured error, and its drift.
* ``cadence``: when a training round is due (``training_due``) and why none is.
"""
