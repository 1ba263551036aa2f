"""gunicorn's configuration for ``duan8 serve``: the application is loaded once in the master,
which warms up the figures (``analytics.warmup``) before it forks the workers, so that each
worker starts with the facts of the current phase in memory. Beside the web workers it starts
the background-job worker (``duan8 worker``), and stops it with the server; set
``DUAN8_JOB_WORKER=0`` where jobs run on other machines."""

import gc
import os
import subprocess
import sys

preload_app = True
_job_worker: subprocess.Popen | None = None


def _start_job_worker(server) -> None:
    global _job_worker
    if os.environ.get("DUAN8_JOB_WORKER", "1") == "0":
        return
    _job_worker = subprocess.Popen([sys.executable, "-m", "duan8.cli", "worker"])
    server.log.info("duan8 background-job worker started (pid %d)", _job_worker.pid)


def on_exit(server) -> None:
    if _job_worker is not None and _job_worker.poll() is None:
        _job_worker.terminate()  # it finishes the job in hand, then stops
        try:
            _job_worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _job_worker.kill()


def when_ready(server) -> None:
    _start_job_worker(server)
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
        # What the master holds now (code, geography, warmed facts) lives as long as the
        # workers: moved out of the garbage collector's sight, so that a worker's full
        # collection no longer walks it (measured by bench/api_paging.py: ~70 ms a pause at
        # national scale without this) and copy-on-write keeps those pages shared.
        gc.collect()
        gc.freeze()
