"""gunicorn's threaded worker, ending without dropping a request (gunicorn.conf.py names it as worker_class).

gunicorn ends a worker after its `max_requests` (and on a graceful stop, SIGTERM). Its own gthread worker
then stops its event loop at once: connections kept alive between requests are no longer watched, and are
closed only when the process exits, after the requests still running have finished. A client that sent its
next request on such a connection in the meantime (it had no way to know) gets no answer at all: the
connection is reset under it (`RemoteDisconnected`), whatever the request was, a completion of a task
included.

This worker stops accepting new connections instead (the other workers take them), and goes on serving the
connections it has until each has ended the way HTTP lets a server end one: a request still arriving on a
kept-alive connection is answered, with `Connection: close`; a connection that stays idle is closed at the
keep-alive timeout, as at any other time. A case migration run it carries on meanwhile stops after the case it is
moving and is released, for another process to take over at once (engine.services.case_migration). Then the worker
exits."""

from __future__ import annotations

import functools
import json
import selectors
import time
from concurrent import futures

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

# A request gunicorn refuses before the app sees it (a request line or headers too long, a malformed request
# line) is answered as every error of the API is, with a problem document, not gunicorn's HTML page.
PROBLEM_TITLES = {400: "Felaktig begäran", 403: "Åtkomst nekad", 431: "För stora rubrikfält",
                  500: "Internt fel", 501: "Stöds inte"}


TYPES = {400: "/problems/bad-request", 431: "/problems/headers-too-large"}
DETAILS = {400: "The request line or its headers are malformed or too long (a request line holds at most 4094 "
                "bytes)", 431: "The request's headers are too large"}


def write_problem(sock, status_int, reason, mesg):
    # gunicorn's message repeats the request line, which may hold what no answer repeats (a personal number in a
    # query): the detail says what was wrong, not what was sent.
    body = json.dumps({"type": TYPES.get(status_int, "about:blank"),
                       "title": PROBLEM_TITLES.get(status_int, reason), "status": status_int,
                       "detail": DETAILS.get(status_int, reason)}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = write_problem


class DrainingThreadWorker(ThreadWorker):
    def run(self):
        for sock in self.sockets:
            sock.setblocking(False)
            self.poller.register(sock, selectors.EVENT_READ, _Acceptor(self, sock.getsockname()))

        while self.alive:
            self.notify()
            if self.nr_conns < self.worker_connections:
                self._turn(1.0)
            else:
                self._finished(futures.wait(self.futures, timeout=1.0, return_when=futures.FIRST_COMPLETED))
            if not self.is_parent_alive():
                break
            self.murder_keepalived()

        from .services import case_migration

        case_migration.leaving.set()
        self._drain()
        case_migration.leave(timeout=self.cfg.graceful_timeout)
        self.tpool.shutdown(False)
        self.poller.close()
        for sock in self.sockets:
            sock.close()
        futures.wait(self.futures, timeout=self.cfg.graceful_timeout)

    def _turn(self, wait: float) -> None:
        for key, _ in self.poller.select(wait):
            key.data(key.fileobj)
        self._finished(futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED))

    def _finished(self, result) -> None:
        for fut in result.done:
            self.futures.remove(fut)

    def _drain(self) -> None:
        """No new connections; the open ones are served (each answer now closes its connection) until none is
        left, or the graceful timeout has passed."""
        for sock in self.sockets:
            try:
                self.poller.unregister(sock)
            except (KeyError, ValueError, OSError):
                pass
        deadline = time.monotonic() + self.cfg.graceful_timeout
        unused_until = time.monotonic() + self.cfg.keepalive
        while (self.futures or self.poller.get_map()) and time.monotonic() < deadline:
            self.notify()
            self._turn(0.1)
            self.murder_keepalived()
            if time.monotonic() >= unused_until:
                self._close_unused()

    def _close_unused(self) -> None:
        """Connections opened but never used (a browser opens some ahead of need) get no keep-alive timeout
        from gthread: closed once they stayed unused as long as an idle kept-alive one may."""
        for key in list(self.poller.get_map().values()):
            conn = key.data.args[0] if isinstance(key.data, functools.partial) else None
            if conn is None or conn.initialized:
                continue
            with self._lock:
                try:
                    self.poller.unregister(conn.sock)
                except (KeyError, ValueError, OSError):
                    continue
            self.nr_conns -= 1
            conn.close()

    def finish_request(self, fs):
        """As gthread's, except that a connection whose answer was made keep-alive just before the worker began
        to end is kept and watched too, while the worker drains: its client may already be sending on it."""
        if fs.cancelled() or self.alive:
            return super().finish_request(fs)
        try:
            keepalive, conn = fs.result()
        except Exception:  # noqa: BLE001 - as gthread: the connection is closed
            self.nr_conns -= 1
            fs.conn.close()
            return
        if not keepalive:
            self.nr_conns -= 1
            conn.close()
            return
        try:
            conn.sock.setblocking(False)
            conn.set_timeout()
            with self._lock:
                self._keep.append(conn)
                self.poller.register(conn.sock, selectors.EVENT_READ,
                                     lambda client, conn=conn: self.on_client_socket_readable(conn, client))
        except Exception:  # noqa: BLE001 - the poller is already closed: the worker is exiting
            self.nr_conns -= 1
            conn.close()


class _Acceptor:
    def __init__(self, worker: DrainingThreadWorker, server):
        self.worker, self.server = worker, server

    def __call__(self, listener):
        self.worker.accept(self.server, listener)
