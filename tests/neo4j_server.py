"""Start and stop a real Neo4j Community server (Bolt only, no auth) for the tests.

The server is the tiny Java launcher in ``tests/neo4j_launcher`` (Maven project, embedded Neo4j 5.26 LTS).
It is built on first use with ``mvn package`` and rebuilt only when its pom or sources change.

Usage::

    reason = java_toolchain_missing()
    if reason:
        pytest.skip(reason)
    with Neo4jTestServer() as server:
        driver = neo4j.GraphDatabase.driver(server.uri, auth=None)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

LAUNCHER_DIR = Path(__file__).resolve().parent / "neo4j_launcher"
TARGET_DIR = LAUNCHER_DIR / "target"
LAUNCHER_JAR = TARGET_DIR / "neo4j-launcher.jar"
LIB_DIR = TARGET_DIR / "lib"
BUILD_STAMP = TARGET_DIR / ".medkg-build-stamp"
BUILD_LOG = TARGET_DIR / "mvn-build.log"
MAIN_CLASS = "medkg.testing.Neo4jLauncher"
READY_PREFIX = "NEO4J_READY "

MIN_JAVA = 17
LOG_TAIL_LINES = 40

DEFAULT_JVM_OPTS: tuple[str, ...] = (
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    # C1 only: halves startup on a 2-core machine (C2 compiles compete with startup work).
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    # As in Neo4j's own launch scripts: lets the page cache and Netty use direct buffers efficiently.
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
)


def java_version(java: str = "java") -> int | None:
    """Return the major version of ``java`` (e.g. 17), or None if it cannot be determined."""
    try:
        result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def java_toolchain_missing() -> str | None:
    """Return why the Neo4j test server cannot run here (no ``java``/``mvn``, or Java < 17), else None."""
    java = shutil.which("java")
    if java is None:
        return "java is not on PATH (Java 17+ is needed for the Neo4j test server)"
    if shutil.which("mvn") is None:
        return "mvn is not on PATH (Maven is needed to build the Neo4j test server)"
    version = java_version(java)
    if version is None:
        return f"could not determine the version of {java}"
    if version < MIN_JAVA:
        return f"{java} is Java {version}; the Neo4j test server needs Java {MIN_JAVA}+"
    return None


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """Return the last ``lines`` lines of a text file without ANSI colour codes ('' if it is missing)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(re.sub(r"\x1b\[[0-9;]*m", "", text).splitlines()[-lines:])


def _newest_source_mtime() -> float:
    """Newest modification time of the launcher's pom.xml and sources."""
    paths = [LAUNCHER_DIR / "pom.xml", *(p for p in (LAUNCHER_DIR / "src").rglob("*") if p.is_file())]
    return max(p.stat().st_mtime for p in paths)


def _launcher_is_current() -> bool:
    """True when the built launcher exists and is newer than the pom and every source file."""
    if not (BUILD_STAMP.is_file() and LAUNCHER_JAR.is_file() and LIB_DIR.is_dir()):
        return False
    return BUILD_STAMP.stat().st_mtime >= _newest_source_mtime()


def build_launcher() -> None:
    """Build the launcher with Maven unless it is up to date; safe to call from concurrent processes.

    Maven's output goes to ``target/mvn-build.log``; a failed build raises RuntimeError with its tail.
    """
    if _launcher_is_current():
        return
    TARGET_DIR.mkdir(exist_ok=True)
    with open(TARGET_DIR / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building; wait, then re-check
        if _launcher_is_current():
            return
        stamp_time = time.time()
        cmd = [
            "mvn",
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(LAUNCHER_DIR / "pom.xml"),
            "package",
            "-DskipTests",
        ]
        with open(BUILD_LOG, "w") as log:
            result = subprocess.run(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, check=False
            )
        if result.returncode != 0:
            raise RuntimeError(
                f"building the Neo4j launcher failed ({' '.join(cmd)} exited "
                f"{result.returncode}); last lines of {BUILD_LOG}:\n{_tail(BUILD_LOG)}"
            )
        BUILD_STAMP.touch()
        os.utime(BUILD_STAMP, (stamp_time, stamp_time))  # sources edited during the build stay "newer"


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class Neo4jTestServer:
    """A throwaway Neo4j server in a child JVM, reachable at ``uri`` (``bolt://127.0.0.1:PORT``, no auth).

    Each instance gets a fresh temporary home directory (store, Neo4j logs and ``launcher.log``, which
    holds the JVM's stdout and stderr); ``stop()`` removes it. The JVM also exits by itself when this
    process dies, because it watches its stdin pipe.
    """

    def __init__(self, startup_timeout: float = 180.0, jvm_opts: Sequence[str] = DEFAULT_JVM_OPTS) -> None:
        """Configure the server; nothing starts until ``start()`` or ``with``."""
        self.startup_timeout = startup_timeout
        self.jvm_opts = tuple(jvm_opts)
        self.uri: str = ""
        self.port: int = 0
        self.home: Path | None = None
        self.log_path: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Neo4jTestServer:
        """Build the launcher if needed, start the JVM and wait until Bolt accepts connections.

        Raises RuntimeError (with the tail of the launcher log) if it fails or times out.
        """
        if self._proc is not None:
            raise RuntimeError("Neo4jTestServer already started")
        reason = java_toolchain_missing()
        if reason:
            raise RuntimeError(reason)
        build_launcher()
        self.home = Path(tempfile.mkdtemp(prefix="medkg-neo4j-"))
        self.log_path = self.home / "launcher.log"
        self.port = free_port()
        classpath = f"{LAUNCHER_JAR}{os.pathsep}{LIB_DIR / '*'}"
        cmd = ["java", *self.jvm_opts, "-cp", classpath, MAIN_CLASS, str(self.home / "neo4j"), str(self.port)]
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.uri = self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> str:
        """Poll the launcher log for the readiness line and return the Bolt URI from it."""
        assert self._proc is not None and self.log_path is not None
        deadline = time.monotonic() + self.startup_timeout
        while True:
            for line in self.log_path.read_text(errors="replace").splitlines():
                if line.startswith(READY_PREFIX):
                    return line[len(READY_PREFIX) :].strip()
            if self._proc.poll() is not None:
                problem = f"exited with code {self._proc.returncode} before it was ready"
            elif time.monotonic() > deadline:
                problem = f"was not ready within {self.startup_timeout:.0f} s"
            else:
                time.sleep(0.1)
                continue
            raise RuntimeError(f"Neo4j test server {problem}; its output ends with:\n{_tail(self.log_path)}")

    def stop(self) -> None:
        """Stop the JVM (SIGTERM, then SIGKILL after 30 s) and remove the home directory. Idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None
        self.uri = ""

    def __enter__(self) -> Neo4jTestServer:
        """Start the server."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()
