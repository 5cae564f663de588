"""gunicorn settings read from the working directory (the Dockerfile's and docker-compose's `gunicorn` commands,
and the benchmark's). Command-line options override them."""


def post_worker_init(worker):
    """Read the directory's in-memory search index (market/directory/index.py) as each worker starts, so the first
    search it serves does not wait for it (about 2.5 s at 50,000 services). If the database is not reachable yet,
    the first search reads it instead."""
    from directory.index import live

    try:
        live()
    except Exception:  # any failure only defers the read to the first search
        worker.log.warning("The directory's search index was not read at start; the first search will read it",
                           exc_info=True)
