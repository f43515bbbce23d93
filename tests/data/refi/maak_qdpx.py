"""Build ``qualcoder_stijl.qdpx`` from the hand-written folder ``qualcoder_stijl/``.

Run from anywhere: ``python tests/data/refi/maak_qdpx.py``. The zip is deterministic (fixed
entry timestamps), so re-running gives the same bytes; tests/test_refi_qda.py checks that the
committed .qdpx matches the folder.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FOLDER = HERE / "qualcoder_stijl"
TARGET = HERE / "qualcoder_stijl.qdpx"


def build(folder: Path = FOLDER) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        files = [folder / "project.qde"] + sorted((folder / "sources").iterdir())
        for f in files:
            info = zipfile.ZipInfo(f.relative_to(folder).as_posix(), date_time=(2025, 3, 21, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, f.read_bytes())
    return buf.getvalue()


if __name__ == "__main__":
    TARGET.write_bytes(build())
    print(TARGET)
