"""gunicorn's settings for every way the site is served: `make serve`, production hosts,
the benchmarks and the real-server tests. Bind address and worker count come from the
command line (`--bind`, `--workers`); what must not differ between them lives here.

    gunicorn -c gunicorn.conf.py kb.wsgi --bind 0.0.0.0:8000 --workers 5
"""

wsgi_app = "kb.wsgi"

# Request limits that fit the app's own: no user text over 2 KB travels in a URL (a long
# paste is posted, and the body's 16 KB limit is the app's), so gunicorn's defaults for the
# request line (4,094 bytes) and for header fields (8,190 bytes) hold every request the site
# makes; anything longer is refused by gunicorn with a 4xx before it reaches Django.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

timeout = 30
graceful_timeout = 10
keepalive = 5

# The access log never prints a query string or a Referer (both may hold a pasted error
# with its tokens): the method, the path alone, the status, the size and the time taken.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"


def post_worker_init(worker):
    """Load in each worker, before its first request, what a search would otherwise load
    while a reader waits, and keep it out of the garbage collector's way (kb/worker.py)."""
    from kb.worker import start_worker

    start_worker()
