"""gunicorn for chibo (deploy/systemd/chibo-web.service runs ``gunicorn -c deploy/gunicorn.conf.py chibo.wsgi``).

gunicorn listens on loopback only; nginx (deploy/nginx/chibo.conf) terminates TLS in front of it and passes the
client's address in X-Forwarded-For, which chibo believes only from ``CHIBO_TRUSTED_PROXIES`` (``127.0.0.1``).
A Unix socket would give Django no proxy address to check, so the upstream is a loopback TCP port.
"""

import multiprocessing
import os

bind = os.environ.get("CHIBO_WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("CHIBO_WEB_WORKERS", str(min(2 * multiprocessing.cpu_count() + 1, 9))))
# Long enough for a PDF book or a 50 MB spreadsheet's dry run hand-over; nginx waits as long (proxy_read_timeout).
timeout = 120
graceful_timeout = 30
# Recycle workers now and then (slow leaks in libraries stay bounded).
max_requests = 2000
max_requests_jitter = 200
# Only nginx on this host may set X-Forwarded-Proto for gunicorn's own scheme detection.
forwarded_allow_ips = "127.0.0.1"
# Access lines to the journal; the request line may carry ids but never a name or a receipt (searches are POSTed).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# A request line or header bigger than this is refused before Django sees it.
limit_request_line = 8190
limit_request_fields = 100
