"""Run GNE on pages and print one JSON object per page (run by bench/.venv-gne's python, not the project's)."""

import json
import sys
from pathlib import Path


def main(paths) -> int:
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()
    for path in paths:
        raw = Path(path).read_bytes()
        html = _decode(raw)
        try:
            result = extractor.extract(html)
        except Exception as exc:  # GNE raises on some pages; that page scores nothing for GNE
            result = {"error": repr(exc)}
        print(json.dumps({"path": path, **result}, ensure_ascii=False, default=str))
    return 0


def _decode(raw: bytes) -> str:
    """The bytes as UTF-8 (the bench writes every page decoded, whatever it declares), else as the page
    declares them, else GB18030 (GNE takes text)."""
    import re

    head = raw[:4096].decode("ascii", "replace")
    match = re.search(r"charset=[\"']?([\w-]+)", head, re.I)
    for encoding in ["utf-8"] + ([match.group(1)] if match else []) + ["gb18030"]:
        try:
            return raw.decode("gb18030" if encoding.lower() in ("gb2312", "gbk") else encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
