"""Writing files safely: one way for every file simkit writes.

Every output — KPI tables, charts, ``meta.json``, a sweep's parts, a report, a
scenario saved from the dashboard — goes through :class:`Outputs`, so that

* a temporary file is created in the target's own folder with an unpredictable
  name by :func:`tempfile.mkstemp` (``O_CREAT | O_EXCL``, mode 0600): a symbolic
  link planted at a name simkit might use is never followed, and nothing of a
  half-written file is ever visible under the real name; before any byte is
  written it gets the mode a plain ``open`` would have given it (the mode of the
  file it replaces, else ``0666`` less the umask), so outputs are not left
  private by the temporary-file mechanism;
* its bytes reach the disk (``fsync``) before ``os.replace`` puts it in place,
  which replaces a link at the target rather than writing through it, so the
  result is always a regular file;
* several files are all-or-nothing: every file is rendered to its temporary
  name first and only when all succeeded are they renamed, in the order they
  were added (metadata such as ``meta.json`` last, so it never describes files
  that are not there).  On any failure — an exception, a full disk, Ctrl+C —
  the temporary files are removed and the previous files stay as they were.

:func:`check_file_target` and :func:`check_folder_target` refuse a bad output
path (a folder where a file is wanted, a parent that is a file, a place where no
file can be created, a name holding a line break, control character or bidi
control) with one sentence *before* anything is simulated;
:class:`OutputPathError` is a ``ValueError`` (exit 2 in the CLI), whereas a
failure while writing (a full disk) is an :class:`OutputWriteError`, an
``OSError`` (exit 1).
"""

from __future__ import annotations

import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["Outputs", "OutputPathError", "OutputWriteError", "WrittenThenInterrupted", "write_file", "write_text",
           "check_file_target", "check_folder_target", "shown", "signals_held"]

Writer = Callable[[BinaryIO], object]
"""Writes a file's content to an open binary file."""

SHOWN_CHARS = 120
"""Longest value quoted in a message; longer ones are cut with an ellipsis."""


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """``value`` quoted for a one-line message: control characters escaped, at most ``limit`` characters."""
    text = repr(str(value))
    return text if len(text) <= limit else f"{text[:limit - 4]}...{text[0]}"


class OutputPathError(ValueError):
    """An output path that cannot be written (one sentence naming the flag, the path and what is allowed)."""


class OutputWriteError(OSError):
    """Writing an output failed (e.g. a full disk); the previous files were left as they were.

    ``str(err)`` is one sentence naming the file and the reason; ``err.errno`` is the system's code.
    """


class WrittenThenInterrupted(KeyboardInterrupt):  # noqa: N818 - it is an interrupt, not an error
    """Ctrl+C or SIGTERM arrived while a set of files was put in place: they were all written, in full."""

    def __init__(self, targets: list[Path]) -> None:
        super().__init__(targets)
        self.targets = targets


def _write_error(target: Path, err: OSError) -> OutputWriteError:
    failure = OutputWriteError(f"cannot write {shown(target)}: {err.strerror or err}; "
                               "the previous files are unchanged")
    failure.errno = err.errno
    return failure


def _no_file_here(what: str, path: Path, problem: str) -> OutputPathError:
    return OutputPathError(f"{what}: {shown(path)} {problem}")


def _probe(folder: Path, what: str, path: Path) -> None:
    """Create and remove a temporary file in ``folder`` (the nearest existing one), or explain why not."""
    try:
        fd, name = tempfile.mkstemp(prefix=".simkit-probe-", dir=folder)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise _no_file_here(what, path, f"cannot be written: no file can be created in {shown(folder)} "
                                        f"({reason})") from None
    os.close(fd)
    os.unlink(name)


def _existing_parent(what: str, path: Path) -> Path:
    """The nearest existing folder above ``path``; a file in the way is refused."""
    for parent in path.absolute().parents:
        try:
            info = parent.stat()
        except FileNotFoundError:
            continue
        except OSError as err:
            raise _no_file_here(what, path, f"cannot be written: {shown(parent)}: {err.strerror}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise _no_file_here(what, path, f"cannot be written: its parent {shown(parent)} is not a folder")
        return parent
    return Path(path.absolute().anchor)  # pragma: no cover - the root always exists


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Line breaks, other control characters and bidi controls: legal in a POSIX file name, but a name holding one
cannot be shown on one line of a terminal, a log or a report as the name it is (``wrote out\\nx.html``)."""


def _printable(what: str, path: Path) -> None:
    """Refuse a path that holds a line break, another control character or a bidi control."""
    if _UNPRINTABLE.search(str(path)):
        raise OutputPathError(f"{what}: {shown(path)} holds a line break, control character or bidi control; "
                              "give a name of printable characters")


def check_file_target(path: str | Path, what: str = "output") -> Path:
    """``path`` as a :class:`Path` if a regular file can be written there; else :class:`OutputPathError`.

    An existing regular file (or a link, which is replaced, not followed) is fine;
    a folder, a device, a pipe or a socket is not.  The nearest existing folder
    above it must let a file be created (checked by creating one).
    """
    path = Path(path)
    if not str(path).strip():
        raise OutputPathError(f"{what}: the path is empty; give a file name")
    _printable(what, path)
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _no_file_here(what, path, f"cannot be written: {err.strerror}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _no_file_here(what, path, "is a folder; give a file name")
    if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise _no_file_here(what, path, "is not a regular file (a device, pipe or socket); give a file name")
    _probe(_existing_parent(what, path), what, path)
    return path


def check_folder_target(path: str | Path, what: str = "output folder") -> Path:
    """``path`` as a :class:`Path` if it is (or can become) a folder to write files in."""
    path = Path(path)
    if not str(path).strip():
        raise OutputPathError(f"{what}: the path is empty; give a folder")
    _printable(what, path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise _no_file_here(what, path, "is a broken link; give a folder") from None
        _probe(_existing_parent(what, path), what, path)
        return path
    except OSError as err:
        raise _no_file_here(what, path, f"cannot be written: {err.strerror}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise _no_file_here(what, path, "is not a folder; give a folder (it is created if missing)")
    _probe(path, what, path)
    return path


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back during a step an interrupt must not split (renames, forking workers).

    A signal that arrives meanwhile is recorded and raised again, to its own handler, once the block is done.
    (Masking the signal would not do: any other thread of the process may take it.)
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(signum)
        if handler is not None:  # None: set outside Python, and then it cannot be put back
            previous[signum] = signal.signal(signum, lambda got, _frame: caught.append(got))
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


class Outputs:
    """A set of files written all-or-nothing (see the module notes).

    Use as a context manager: files added inside the block are staged; leaving
    it normally puts them all in place, in the order they were added; leaving it
    with an exception removes every staged file and re-raises (an ``OSError``
    as :class:`OutputWriteError` naming the file).

    Examples
    --------
    >>> with Outputs() as out:                                   # doctest: +SKIP
    ...     out.add("out/kpis.csv", lambda fh: frame.to_csv(fh, index=False))
    ...     out.add_text("out/meta.json", text)                   # put in place last
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []
        self._closed = False

    def add(self, target: str | Path, write: Writer) -> Path:
        """Render ``target``'s content with ``write(fh)`` into a new temporary file beside it."""
        if self._closed:
            raise RuntimeError("these outputs were already committed or discarded")
        target = Path(target)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        except OSError as err:
            raise _write_error(target, err) from None
        self._staged.append((tmp, target))
        try:
            os.fchmod(fd, _mode_for(target))
        except OSError:  # pragma: no cover - a file system without modes keeps mkstemp's
            pass
        try:
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as err:
            raise _write_error(target, err) from None
        return target

    def add_text(self, target: str | Path, text: str) -> Path:
        """Stage a UTF-8 text file."""
        data = text.encode("utf-8")
        return self.add(target, lambda fh: fh.write(data))

    @property
    def targets(self) -> list[Path]:
        """The files staged so far, in the order they will be put in place."""
        return [target for _, target in self._staged]

    def commit(self) -> list[Path]:
        """Put every staged file in place (renames only: nothing can fail half-way for lack of space)."""
        self._closed = True
        try:
            with signals_held():
                try:
                    for tmp, target in self._staged:
                        os.replace(tmp, target)
                except OSError as err:
                    self.discard()
                    raise _write_error(target, err) from None
                for folder in dict.fromkeys(target.parent for _, target in self._staged):
                    _fsync_folder(folder)
        except KeyboardInterrupt:  # held back during the renames, delivered once they were all done
            raise WrittenThenInterrupted(self.targets) from None
        return self.targets

    def discard(self) -> None:
        """Remove every staged temporary file (the previous files are untouched)."""
        self._closed = True
        for tmp, _ in self._staged:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            except OSError:  # pragma: no cover - nothing better to do while already failing
                pass

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux), else by setting it back."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # not thread-safe, hence only the fallback
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """The permission bits a new ``target`` gets: those of the regular file it replaces, else 0666 less the umask."""
    try:
        st = os.lstat(target)
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        return stat.S_IMODE(st.st_mode)
    return 0o666 & ~_umask()


def _fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file(target: str | Path, write: Writer) -> Path:
    """Write one file safely (:class:`Outputs` with a single file)."""
    with Outputs() as out:
        out.add(target, write)
    return Path(target)


def write_text(target: str | Path, text: str) -> Path:
    """Write one UTF-8 text file safely."""
    with Outputs() as out:
        out.add_text(target, text)
    return Path(target)
