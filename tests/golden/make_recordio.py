"""Golden RecordIO files from real MXNet 1.9.1 for tests/test_recordio.py.

Run: /work/shared/tools/mxnet-reference tests/golden/make_recordio.py
Writes tests/golden/recordio/{plain.rec, indexed.rec, indexed.idx}: records of
every length 0..9, payloads holding the magic word at aligned and unaligned
offsets (multi-part records), and image-record headers with scalar and array
labels, written by MXNet's own MXRecordIO / MXIndexedRecordIO / pack.
The inputs come from recordio_cases() below, which the test imports too.
"""

import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = struct.pack("<I", 0xCED7230A)


def recordio_cases():
    """The payloads, rebuilt identically by the test (no MXNet needed)."""
    out = [bytes(range(n)) for n in range(10)]
    out.append(MAGIC)  # the record is only the magic
    out.append(b"ab" + MAGIC + b"cd")  # unaligned: stays one part
    out.append(b"abcd" + MAGIC + b"efgh" + MAGIC + MAGIC + b"xyz")  # aligned: four parts
    out.append(MAGIC + b"tail!")
    out.append(b"0123" + MAGIC)
    out.append(bytes(range(256)) * 5)
    return out


def header_cases():
    return [((0, 3.0, 17, 0), b"payload"), ((0, [1.0, 2.5, -3.0], 5, 9), b"img-bytes"), ((7, 2.0, 2**40, 1), b"")]


if __name__ == "__main__":
    import mxnet as mx

    d = os.path.join(HERE, "recordio")
    os.makedirs(d, exist_ok=True)
    w = mx.recordio.MXRecordIO(os.path.join(d, "plain.rec"), "w")
    for rec in recordio_cases():
        w.write(rec)
    w.close()
    w = mx.recordio.MXIndexedRecordIO(os.path.join(d, "indexed.idx"), os.path.join(d, "indexed.rec"), "w")
    for i, (h, body) in enumerate(header_cases()):
        w.write_idx(i * 3, mx.recordio.pack(mx.recordio.IRHeader(*h), body))
    w.close()
    print("wrote", sorted(os.listdir(d)))
