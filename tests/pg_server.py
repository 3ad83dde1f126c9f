"""A throwaway PostgreSQL server for the tests, run from the installed server binaries.

The server lives in a temporary directory, listens on 127.0.0.1 on a free port, trusts local
connections (no password) and is stopped and deleted afterwards. PostgreSQL refuses to run
as root, so as root the binaries run as the `postgres` user, who owns the directory.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

SERVER_USER = "postgres"
DATABASE = "iso20k_test"
MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found in `pg_config --bindir` "
    "nor in /usr/lib/postgresql/*/bin: install them (e.g. apt-get install postgresql-15)."
)


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: pg_config's, else the newest Debian one."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    # Debian/Ubuntu keep one directory per major version; pg_config may come from libpq-dev
    # alone and point at a directory without the server.
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(map(Path, debian), key=lambda p: _major(p.parent.name), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


class PostgresServer:
    """A server of its own in a temporary directory, which can be stopped and started again
    on the same port (the fault tests restart it under a running app).

    `start()` the first time creates the cluster and the database; `stop()` shuts it down
    (`fast`: open transactions are aborted and connections closed, as in a restart);
    `close()` stops it and deletes everything.
    """

    def __init__(self, bindir: Path, timeout: float = 30.0) -> None:
        self.bindir, self.timeout = bindir, timeout
        self.workdir = Path(tempfile.mkdtemp(prefix="iso20k-pg-"))
        self.data, self.sockets = self.workdir / "data", self.workdir / "sockets"
        self.log = self.workdir / "server.log"
        self.port: int | None = None

    @property
    def url(self) -> str:
        assert self.port is not None, "start the server first"
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> str:
        """Start the server (creating it the first time); its SQLAlchemy URL."""
        if self.port is None:
            self._create()
        else:
            _start_on(self.bindir, self.data, self.sockets, self.log, self.port, self.timeout)
            _wait_until_accepting(self.port, self.timeout)
        return self.url

    def stop(self, mode: str = "fast") -> None:
        stop = [self.bindir / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"]
        _run(*stop, cwd=self.workdir, check=False)

    def close(self) -> None:
        try:
            self.stop()  # fails harmlessly if it never started
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _create(self) -> None:
        self.sockets.mkdir()
        if os.geteuid() == 0:  # postgres must own its data, socket and log files
            for path in (self.workdir, self.sockets):
                shutil.chown(path, SERVER_USER, SERVER_USER)
        initdb = [self.bindir / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres"]
        _run(*initdb, "-E", "UTF8", "--no-locale", "--no-sync", cwd=self.workdir)
        self.port = _start(self.bindir, self.data, self.sockets, self.log, self.timeout)
        _wait_until_accepting(self.port, self.timeout)
        with _connect(self.port, "postgres") as connection:
            connection.execute(f"CREATE DATABASE {DATABASE}")


@contextmanager
def running_postgres(bindir: Path, timeout: float = 30.0) -> Iterator[str]:
    """Start a server, create a database, yield its SQLAlchemy URL; always clean up."""
    with restartable_postgres(bindir, timeout) as server:
        yield server.url


@contextmanager
def restartable_postgres(bindir: Path, timeout: float = 30.0) -> Iterator[PostgresServer]:
    """A started `PostgresServer`; whatever happens, it is stopped and deleted afterwards."""
    server = PostgresServer(bindir, timeout)
    try:
        server.start()
        yield server
    finally:
        server.close()


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of `server_url`, dropped afterwards."""
    url = make_url(server_url)
    assert url.port is not None
    name = f"t_{uuid.uuid4().hex[:12]}"
    with _connect(url.port, "postgres") as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with _connect(url.port, "postgres") as connection:
            # FORCE (PostgreSQL 13+): a test that forgot to dispose its engine cannot block it.
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _start(bindir: Path, data: Path, sockets: Path, log: Path, timeout: float) -> int:
    # The free port is only free when we looked: another process may take it before the
    # server binds, so try a few ports before giving up.
    for _ in range(3):
        port = _free_port()
        if _pg_ctl_start(bindir, data, sockets, log, port, timeout).returncode == 0:
            return port
        _run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop", cwd=data.parent, check=False)
    raise RuntimeError(f"PostgreSQL did not start; server log ends with:\n{_tail(log)}")


def _start_on(
    bindir: Path, data: Path, sockets: Path, log: Path, port: int, timeout: float
) -> None:
    """Start again on the port it had: clients reconnect to the same address."""
    if _pg_ctl_start(bindir, data, sockets, log, port, timeout).returncode != 0:
        raise RuntimeError(f"PostgreSQL did not start again; server log ends with:\n{_tail(log)}")


def _pg_ctl_start(
    bindir: Path, data: Path, sockets: Path, log: Path, port: int, timeout: float
) -> subprocess.CompletedProcess[str]:
    options = f"-k {sockets} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off"
    pg_ctl = [bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-t", str(int(timeout))]
    return _run(*pg_ctl, "-o", options, "start", cwd=data.parent, check=False)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"


def _wait_until_accepting(port: int, timeout: float) -> None:
    # pg_ctl -w waited on the socket; make sure TCP answers too before handing out the URL.
    deadline = time.monotonic() + timeout
    while True:
        try:
            with _connect(port, "postgres"):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _connect(port: int, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True
    )


def _run(*command: object, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    args = [str(part) for part in command]
    if os.geteuid() == 0:
        pwd.getpwnam(SERVER_USER)  # a clear KeyError if the user does not exist
        args = ["runuser", "-u", SERVER_USER, "--", *args]
    # stdin from /dev/null and a timeout: a hung server start must not hang the test run.
    result = subprocess.run(
        args, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=90
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _major(version: str) -> float:
    try:
        return float(version)
    except ValueError:
        return -1.0
