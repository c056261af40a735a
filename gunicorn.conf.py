"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'engine:create_app()'`."""

import multiprocessing
import os

bind = os.environ.get("SIP_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("SIP_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads keep connections alive between requests (a client or proxy that reuses its connection saves a
# connect per request); each request still has a session and a database connection of its own.
# gunicorn's gthread worker, ending without dropping a request kept-alive clients are sending (engine/serving.py).
worker_class = "engine.serving.DrainingThreadWorker"
threads = int(os.environ.get("SIP_THREADS", 4))
keepalive = 5
timeout = 30
graceful_timeout = 30
# A worker is replaced after this many requests (± the jitter, so that they are not all replaced at once).
max_requests = int(os.environ.get("SIP_MAX_REQUESTS", 10_000))
max_requests_jitter = int(os.environ.get("SIP_MAX_REQUESTS_JITTER", max_requests // 10))
accesslog = "-"
errorlog = "-"
# Requests carry personal data: no request bodies or query strings in the access log.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
