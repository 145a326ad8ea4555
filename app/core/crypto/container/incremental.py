"""The key-less upload check fed piece by piece, as the bytes of a resumable upload arrive.

``validate_structure`` reads a whole container once it is complete; a server that receives
it in chunks can run the same rules on each chunk as it is written instead, so that the
upload's finish needs no second pass over the file. The check only ever says "passed" or
"not passed": whoever gets "not passed" runs ``validate_structure`` over the file for the
exact refusal, so the two can never disagree on what a refusal says.
"""

from __future__ import annotations

import copy
import hashlib

from app.core.crypto.container.header import Header
from app.core.crypto.container.layout import FRAME, PREFIX
from app.core.crypto.container.reader import check_frame, header_length, parse_header

# What the next bytes are.
_PREFIX, _HEADER, _FRAME_HEAD, _BODY, _END = range(5)


class StructureCheck:
    """``validate_structure`` without the binding to a lot, bidder and key, fed in pieces.

    ``sha256`` and ``size`` cover every byte fed; ``header`` is set once its bytes are in;
    ``passed`` is true once the final frame has ended with nothing after it. Bindings and
    the size limit are the caller's to check at the end (they may change meanwhile).
    """

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0
        self.header: Header | None = None
        self.failed = False
        self._state = _PREFIX
        self._need = PREFIX.size  # bytes still wanted for the piece being assembled
        self._piece = bytearray()  # the prefix, header or frame head being assembled
        self._prefix = b""
        self._index = 0
        self._final = False

    @property
    def passed(self) -> bool:
        return self._state == _END and not self.failed

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()

    def copy(self) -> StructureCheck:
        """An independent copy: feeding it leaves this one where it is."""
        twin = copy.copy(self)
        twin.digest = self.digest.copy()
        twin._piece = bytearray(self._piece)
        return twin

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        self.digest.update(data)
        self.size += len(data)
        if self.failed:
            return
        try:
            self._parse(memoryview(data))
        except Exception:  # noqa: BLE001 — any refusal: validate_structure will name it
            self.failed = True

    def _parse(self, view: memoryview) -> None:
        while len(view):
            if self._state == _END:
                raise ValueError("trailing data")
            if self._state == _BODY:
                # The bulk of a container: skipped without a copy (the digest has it).
                take = min(self._need, len(view))
                view = view[take:]
                self._need -= take
                if not self._need:
                    self._frame_ended()
                continue
            take = min(self._need, len(view))
            self._piece += view[:take]
            view = view[take:]
            self._need -= take
            if not self._need:
                self._piece_done(bytes(self._piece))
                self._piece.clear()

    def _piece_done(self, piece: bytes) -> None:
        if self._state == _PREFIX:
            self._prefix = piece
            self._state, self._need = _HEADER, header_length(piece)
        elif self._state == _HEADER:
            self.header = parse_header(self._prefix, piece)
            self._state, self._need = _FRAME_HEAD, FRAME.size
        else:
            assert self.header is not None
            self._final, length = check_frame(self.header, self._index, piece)
            self._state, self._need = _BODY, length

    def _frame_ended(self) -> None:
        if self._final:
            self._state = _END
        else:
            self._index += 1
            self._state, self._need = _FRAME_HEAD, FRAME.size
