"""gunicorn's configuration for ``duan8 serve``: the application is loaded once in the master,
which warms up the figures (``analytics.warmup``) before it forks the workers, so that each
worker starts with the facts of the current phase in memory."""

import os

preload_app = True


def when_ready(server) -> None:
    if os.environ.get("DUAN8_WARM_UP", "1") == "0":
        return
    from django.db import connections

    from duan8.analytics.warmup import warm_up

    try:
        done = warm_up()
        server.log.info(
            "duan8 warmed up in %.1f s (%d dashboards)", done["seconds"], len(done["read"])
        )
    finally:
        # The workers open their own connections: none is shared across the fork.
        connections.close_all()
