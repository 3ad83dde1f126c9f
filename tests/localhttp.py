"""What every local fake service shares: a stdlib HTTP server on a free port of 127.0.0.1,
served by a daemon thread, started and stopped as a context manager.

A fake subclasses `LocalService` and says, in `_new_server`, which server (and so which
request handler) it runs; `tests/slackfake` and `tests/teamsfake` do.
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Self


class LocalService:
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def _new_server(self) -> ThreadingHTTPServer:
        raise NotImplementedError

    def start(self) -> Self:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        self._server = self._new_server()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, release the port and join the server thread."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The port the server is bound to."""
        if self._server is None:
            name = type(self).__name__
            raise RuntimeError(f"{name} is not running: use `with {name}() as fake:`")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:PORT`` without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"
