"""gunicorn replaces a worker after its `max_requests`: clients that keep their connections alive, sending
requests back to back, lose none of them while workers are replaced many times over."""

from __future__ import annotations

import http.client
import threading

from tests.servers import gunicorn

CLIENTS = 6
REQUESTS_EACH = 150
MAX_REQUESTS = 40


def test_recycled_workers_drop_no_request_of_kept_alive_connections(migrated, tmp_path):
    log = tmp_path / "gunicorn.log"
    answered, dropped, statuses = [], [], []
    with gunicorn(migrated, log=log, WORKERS=2, THREADS=4, MAX_REQUESTS=MAX_REQUESTS,
                  MAX_REQUESTS_JITTER=0) as base:
        host, port = base.removeprefix("http://").split(":")

        def client():
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            for _ in range(REQUESTS_EACH):
                try:
                    # The health check reads the database: each request holds a worker's thread a while.
                    conn.request("GET", "/api/v1/health")
                    response = conn.getresponse()
                    response.read()
                    statuses.append(response.status)
                    answered.append(response.will_close)
                except (http.client.HTTPException, OSError) as err:
                    # Not retried: a client cannot know whether a request it sent was carried out.
                    dropped.append(type(err).__name__)
                    conn.close()
            conn.close()

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    recycled = log.read_text().count("Autorestarting worker")
    assert recycled >= CLIENTS * REQUESTS_EACH // MAX_REQUESTS // 2, "the workers were not replaced as often"
    assert dropped == []
    assert len(answered) == CLIENTS * REQUESTS_EACH and set(statuses) == {200}
    # Each replacement ended kept-alive connections by saying so in an answer (Connection: close).
    assert sum(answered) >= recycled
