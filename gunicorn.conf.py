"""gunicorn settings of every NettPortal web server.

gunicorn reads ``./gunicorn.conf.py`` from its working directory, so the
production container (``docker-compose.yml``'s ``web``, working directory
/app) and the bench scripts started from the repository root run the same
configuration; command-line options (``--bind``, ``--workers`` in a bench)
override single settings.

Threaded workers: a landing-page voucher redemption waits on the router's API
(a few round trips; up to the router timeouts when a router is offline), and
with sync workers that wait holds a whole process while other devices queue.
Each thread may hold a database connection (``DB_CONN_MAX_AGE``): size
PostgreSQL's ``max_connections`` for web containers × ``WEB_CONCURRENCY`` ×
``GUNICORN_THREADS``, plus the Celery workers.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# gunicorn runs the gthread worker when threads > 1 and its plain sync worker for
# one thread (less overhead when the routers answer fast, e.g. on a LAN).
timeout = 60
# Each worker listens on its own SO_REUSEPORT socket (gunicorn 27, which we pin,
# opens them per worker when this is set), so the kernel spreads new connections
# evenly over the workers. With one shared socket a gthread worker that wakes first
# can accept every keep-alive connection of a burst while the others idle (gunicorn
# issues #2817, #3433): on the landing-page bench that halved throughput in about
# one run out of three.
reuse_port = True
