"""The Celery app ``mesh worker`` runs: dagster-celery's step task on the mesh's broker.

dagster-celery's own ``dagster_celery.app`` reads its broker from a generated config module (or
defaults to RabbitMQ on localhost); this app is built from the same variables as the executor of
the ``mesh`` job (``orchestration.executors.celery_urls``), so a worker and the run that submits
steps to it cannot disagree on the broker. Celery loads an app from a module attribute
(``celery -A orchestration.celery_app worker``), so this module builds it on import; only a
worker imports it.
"""

from __future__ import annotations

from dagster_celery.executor import CeleryExecutor
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from orchestration.executors import celery_urls

app = make_app(CeleryExecutor.for_cli(**celery_urls()).app_args())
execute_plan = create_task(app)  # runs one step of a run, as the executor submits it
