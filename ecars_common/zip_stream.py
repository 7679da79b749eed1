"""A ZIP written to an unseekable stream (zipfile then writes data descriptors): what an archive streamed to its
reader as it is made writes into, and takes back chunk by chunk — the attachments ZIP, the XLSX exports."""


class Sink:
    """What zipfile writes to: the bytes written since the last `take()`."""

    def __init__(self):
        self.pending = bytearray()

    def write(self, data) -> int:
        self.pending += data
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self.pending = bytes(self.pending), bytearray()
        return out
