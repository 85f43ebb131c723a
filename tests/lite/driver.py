"""Runs the Lite bundle's main.py with the stand-in xlwings (tests only; under Pyodide or CPython).

Input (JSON): {"calls": [[function, [arguments]], ...], "sheets": [{"name": ..., "rows": [[A, B, ...], ...]}]}
Output (JSON): results of the calls, what main.py registered, where its modules came from, and what the
script wrote into each sheet.
"""

import importlib
import json
import re
import sys

_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def _index(cell):
    col, row = _CELL.match(cell).groups()
    n = 0
    for ch in col:
        n = n * 26 + ord(ch) - 64
    return int(row) - 1, n - 1


class Range:
    def __init__(self, sheet, address):
        self.sheet, self.address = sheet, address
        first, _, last = address.partition(":")
        self.first, self.last = _index(first), _index(last or first)

    @property
    def value(self):
        (r0, c0), (r1, c1) = self.first, self.last
        rows = self.sheet.rows
        block = [
            [rows[r][c] if r < len(rows) and c < len(rows[r]) else None for c in range(c0, c1 + 1)]
            for r in range(r0, r1 + 1)
        ]
        if r0 == r1 and c0 == c1:
            return block[0][0]
        if r0 == r1 or c0 == c1:  # xlwings gives one row or column as a flat list
            return [v for row in block for v in row]
        return block

    @value.setter
    def value(self, value):
        self.sheet.written[self.address] = value


class Sheet:
    def __init__(self, name, rows):
        self.name, self.rows, self.written = name, rows, {}

    def range(self, address):
        return Range(self, address)


class FakeBook:
    def __init__(self, sheets):
        self.sheets = [Sheet(s["name"], s["rows"]) for s in sheets]


def run(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    xlwings = importlib.import_module("xlwings")
    main = importlib.import_module("main")
    results = [getattr(main, name)(*args) for name, args in data["calls"]]
    book = FakeBook(data.get("sheets", []))
    scripts = sorted(xlwings.SCRIPTS)
    if book.sheets:
        for name in scripts:
            xlwings.SCRIPTS[name](book)
    out = {
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "results": results,
        "registered": {
            name: {"args": sorted(f.__xlfunc__["args"]), "module": f.__module__}
            for name, f in sorted(xlwings.FUNCS.items())
        },
        "scripts": scripts,
        "origins": {
            name: getattr(sys.modules[name], "__file__", None)
            for name in sorted(sys.modules)
            if name.startswith("perfeval_xl") or name == "_perfeval_udfs"
        },
        "written": {s.name: s.written for s in book.sheets},
    }
    return json.dumps(out, ensure_ascii=False)


if __name__ == "__main__":
    sys.stdout.write(run(sys.argv[1]))
