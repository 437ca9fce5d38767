"""File plumbing for the loaders and savers: bounded reads, guarded zip archives, atomic writes.

Nothing here trusts a file: reads are capped in size, a zip archive's declared sizes must fit
in the file it came from, and every failure of the zip machinery becomes a ``RuntimeError``
that says what is wrong. Writes to a path go to a temporary file in the same directory that
replaces the target only once it is complete and on disk.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import struct
import zipfile
import zlib

ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 24  # read big entries this many bytes at a time (never trust a declared size)
_ARRAY_CHUNK = 1 << 20  # zip entries copy each read once more: keep that copy small
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    struct.error,
    ValueError,
    OSError,
)


# ----------------------------------------------------------------------------- reading
@contextlib.contextmanager
def opened(f):
    """A binary handle for a path (closed afterwards) or the caller's own file object."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as handle:
            yield handle
    else:
        yield f


def read_exact(handle, n: int, trusted: bool = False) -> bytes | bytearray:
    """Up to ``n`` bytes, read in bounded chunks so a lying length allocates nothing big.

    ``trusted`` says ``n`` is already known to fit in the file: the bytes then go straight
    into one buffer of that size (no second copy of a big entry or header).
    """
    if n <= _CHUNK:
        return handle.read(n)
    if trusted and hasattr(handle, "readinto"):
        buffer = bytearray(n)
        view = memoryview(buffer)
        position = 0
        while position < n:
            got = handle.readinto(view[position : position + _CHUNK])
            if not got:
                break
            position += got
        view.release()
        return buffer if position == n else buffer[:position]
    parts = bytearray()
    while len(parts) < n:
        chunk = handle.read(min(_CHUNK, n - len(parts)))
        if not chunk:
            break
        parts += chunk
    return parts


def seekable_source(handle, magic_length: int = 4):
    """``(first bytes, handle positioned at the start)``; a stream that cannot seek is read
    into memory, but only after its first bytes were checked by the caller's ``accept``."""
    if can_seek(handle):
        start = handle.tell()
        head = handle.read(magic_length)
        handle.seek(start)
        return head, handle
    head = handle.read(magic_length)
    return head, None


def can_seek(handle) -> bool:
    try:
        return bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def remaining_size(handle) -> int:
    start = handle.tell()
    end = handle.seek(0, os.SEEK_END)
    handle.seek(start)
    return end - start


class Archive:
    """A zip archive whose entries are checked against the size of the file holding it."""

    def __init__(self, handle, size: int):
        try:
            self._zip = zipfile.ZipFile(handle)
            infos = self._zip.infolist()
        except _ZIP_ERRORS as exc:
            raise _zip_error(exc) from None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in self._infos:
                raise RuntimeError(
                    f"PytorchStreamReader failed reading zip archive: it holds two entries "
                    f"named {info.filename!r}"
                )
            self._infos[info.filename] = info
        declared = sum(info.file_size for info in infos)
        if declared > size:
            raise RuntimeError(
                f"PytorchStreamReader failed reading zip archive: its entries declare "
                f"{declared} bytes but the file holds only {size} (chainrule reads archives "
                "stored uncompressed, as torch.save and chainrule.save write them)"
            )

    def names(self) -> list[str]:
        return list(self._infos)

    def size_of(self, name: str) -> int | None:
        info = self._infos.get(name)
        return None if info is None else info.file_size

    def read(self, name: str, shown: str | None = None) -> bytes:
        """The bytes of one entry; a missing entry is torch's 'file not found' error."""
        info = self._infos.get(name)
        if info is None:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file {shown or name}: file not found"
            )
        try:
            with self._zip.open(info) as entry:
                data = read_exact(entry, info.file_size, trusted=True)
        except _ZIP_ERRORS as exc:
            raise _zip_error(exc, name) from None
        if len(data) != info.file_size:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: truncated")
        return data

    def read_array(self, name: str):
        """One entry's bytes, read straight into a fresh writable ``uint8`` NumPy array."""
        import numpy

        info = self._infos[name]
        array = numpy.empty(info.file_size, numpy.uint8)
        view = memoryview(array)
        position = 0
        try:
            with self._zip.open(info) as entry:
                while position < info.file_size:
                    got = entry.readinto(view[position : position + _ARRAY_CHUNK])
                    if not got:
                        break
                    position += got
        except _ZIP_ERRORS as exc:
            raise _zip_error(exc, name) from None
        finally:
            view.release()
        if position != info.file_size:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: truncated")
        return array


def _zip_error(exc, name: str | None = None) -> RuntimeError:
    where = f"file {name}" if name else "zip archive"
    return RuntimeError(f"PytorchStreamReader failed reading {where}: {exc}")


def open_archive(handle) -> Archive:
    """The archive in a seekable ``handle``, or in the rest of a stream read into memory."""
    if not can_seek(handle):
        data = handle.read()
        return Archive(io.BytesIO(data), len(data))
    try:
        size = remaining_size(handle)
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {exc}") from None
    return Archive(handle, size)


# ----------------------------------------------------------------------------- writing
def write_atomically(path, write) -> None:
    """Run ``write(handle)`` on a temporary file next to ``path``, then replace ``path``.

    The file is flushed and fsync'ed before ``os.replace``; on any failure (a full disk, a
    file-size limit, KeyboardInterrupt) the temporary file is removed and ``path`` is left as
    it was.
    """
    path = os.path.realpath(os.fspath(path))  # through a symlink, as open() writes
    directory = os.path.dirname(path)
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # os.open with mode 0o666 gives the file the permissions a plain open() would (umask);
    # an existing file keeps its own (a private checkpoint stays private).
    try:
        mode = os.stat(path).st_mode & 0o7777
    except OSError:
        mode = None
    fd = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666
    )
    try:
        if mode is not None and hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable where the platform allows it (best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))
