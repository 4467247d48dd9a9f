"""Run a command in a real pseudo-terminal (80x24, xterm-256color) until the app has painted
the demo's case list, then press ctrl+q and expect a clean exit.

    python .ci/pty_smoke.py [--expect TEXT] [--timeout S] -- COMMAND...

Exit 0 when TEXT appeared on the screen and the program then quit with status 0; otherwise 1,
with the end of what it printed (escape sequences removed).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--expect", default="LockBit 3.0", help="text the screen must show")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for it")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")

    env = dict(os.environ, TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, on the pty
        os.execvpe(command[0], command, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    seen = bytearray()
    painted = False
    deadline = time.monotonic() + args.timeout
    status = None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            if not chunk:
                break
            seen += chunk
        if not painted and args.expect.encode() in ESCAPES.sub(b"", bytes(seen)):
            painted = True
            os.write(fd, b"\x11")  # ctrl+q
            deadline = min(deadline, time.monotonic() + 20)
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
            break
    # the terminal can close before the process has finished exiting: give it a moment
    grace = time.monotonic() + 20
    while status is None and time.monotonic() < grace:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = code
        else:
            time.sleep(0.1)
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    text = ESCAPES.sub(b"", bytes(seen)).decode("utf-8", "replace")
    if painted and status is not None and os.waitstatus_to_exitcode(status) == 0:
        print(f"pty smoke: {' '.join(command)!r} painted {args.expect!r} and quit cleanly")
        return 0
    why = ("did not paint " + repr(args.expect)) if not painted else \
        "did not exit after ctrl+q" if status is None else \
        f"exited with {os.waitstatus_to_exitcode(status)}"
    print(f"pty smoke FAILED: {' '.join(command)!r} {why}; its last output:\n{text[-3000:]}",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
