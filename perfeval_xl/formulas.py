"""Simple spreadsheet formulas, evaluated exactly, for formula cells that carry no cached value.

A workbook written by a script (openpyxl, a report generator) and never opened in a spreadsheet has
formulas but no results; the fast readers show such cells as blank. Rather than score a blank, the
reader asks :func:`evaluate_cell` for the value:

- numbers (``758.11``, ``1e3``), percentages (``99%``, ``D7%``), ``+ - * /``, unary signs and
  parentheses;
- references to cells of the same sheet (``D7``, ``$D$7``), whose value is the number in the cell, or
  in turn a formula without a cached value (recursion is bounded and cycles are refused); a blank cell
  is 0, as in a spreadsheet;
- ``SUM`` of ranges, cells and expressions (``SUM(D7:D9)``, ``SUM(D7,D9,100)``); in a range, text and
  blank cells are skipped, as a spreadsheet does.

Arithmetic is exact (:class:`fractions.Fraction`); the result is a :class:`~decimal.Decimal`, exact
whenever the quotient terminates (28 significant digits otherwise, finer than a spreadsheet's double).
Anything else (other functions, other sheets, text operands, comparisons, an error value in a
referenced cell) raises :class:`FormulaError` with a Chinese reason: the reader then stops on the form
and names the cell, never a silent 0. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from .values import float_decimal
from .xmlscan import parse_ref as _parse_ref
from .xmlscan import ref_name  # noqa: F401 - formulas.ref_name, as before

#: Nesting of formula cells referring to formula cells.
MAX_DEPTH = 32
#: Cells one evaluation may visit (ranges included): a hostile ``SUM(A1:XFD1048576)`` stays cheap.
MAX_CELLS = 100_000
#: Formula text longer than this is not evaluated.
MAX_LENGTH = 2000

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<range>\$?[A-Za-z]{1,3}\$?\d{1,7}\s*:\s*\$?[A-Za-z]{1,3}\$?\d{1,7})"
    r"|(?P<func>[A-Za-z_][A-Za-z0-9_.]*)\s*\("
    r"|(?P<ref>\$?[A-Za-z]{1,3}\$?\d{1,7})(?![A-Za-z0-9_!(])"
    r"|(?P<op>[-+*/%(),])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.]*)"
    r")"
)
_PERCENT_LITERAL = re.compile(r"\s*[-+]?\s*(?:\d+\.?\d*|\.\d+)\s*%\s*")


class FormulaError(Exception):
    """A formula that cannot be evaluated here; ``reason`` is Chinese and says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_ref(text: str) -> tuple[int, int]:
    """ "$D$7" -> 0-based (6, 3); FormulaError for anything else."""
    pos = _parse_ref(text)
    if pos is None:
        raise FormulaError(f"无法识别的单元格引用“{text[:20]}”")
    return pos


def is_percent_literal(text: str) -> bool:
    """``=99%``: a percentage of a constant, shown (and meant) as a percentage."""
    return _PERCENT_LITERAL.fullmatch(text) is not None


def to_decimal(value: Fraction) -> Decimal:
    """A Fraction as a Decimal: exact when the quotient terminates."""
    n, d = value.numerator, value.denominator
    k = d
    twos = fives = 0
    while k % 2 == 0:
        k //= 2
        twos += 1
    while k % 5 == 0:
        k //= 5
        fives += 1
    if k == 1:
        scale = max(twos, fives)
        return Decimal(f"{n * (10**scale // d)}E-{scale}")  # the string constructor is exact
    return Decimal(n) / Decimal(d)


# A cell as the evaluator sees it: a number, None for blank, or a str (text) / other object.
CellLookup = Callable[[tuple[int, int]], object]


class _Parser:
    """Recursive descent over the tokens of one formula; evaluates as it parses."""

    def __init__(self, text: str, sheet: SheetValues, depth: int):
        self.tokens = self._tokenize(text)
        self.i = 0
        self.sheet = sheet
        self.depth = depth

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens = []
        pos, n = 0, len(text)
        while pos < n:
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                bad = text[pos:].strip()[:12]
                raise FormulaError(f"公式含有暂不支持的内容“{bad}”")
            kind = m.lastgroup or ""
            tokens.append((kind, m.group(kind)))
            pos = m.end()
        return tokens

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok != ("op", value)):
            want = f"“{value}”" if value else "更多内容"
            raise FormulaError(f"公式不完整（缺少{want}）")
        self.i += 1
        return tok

    def formula(self) -> Fraction:
        value = self.expr()
        rest = self.peek()
        if rest is not None:
            raise FormulaError(f"公式含有暂不支持的内容“{rest[1]}”")
        return value

    def expr(self) -> Fraction:
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> Fraction:
        value = self.unary()
        while self.peek() in (("op", "*"), ("op", "/")):
            op = self.take()[1]
            right = self.unary()
            if op == "*":
                value = value * right
            elif right == 0:
                raise FormulaError("公式除以零（#DIV/0!）")
            else:
                value = value / right
        return value

    def unary(self) -> Fraction:
        tok = self.peek()
        if tok in (("op", "-"), ("op", "+")):
            self.take()
            value = self.unary()
            return -value if tok[1] == "-" else value
        return self.postfix()

    def postfix(self) -> Fraction:
        value = self.primary()
        while self.peek() == ("op", "%"):
            self.take()
            value = value / 100
        return value

    def primary(self) -> Fraction:
        kind, text = self.take()
        if kind == "num":
            return Fraction(Decimal(text))
        if kind == "ref":
            return self.sheet.number(parse_ref(text), self.depth)
        if kind == "op" and text == "(":
            value = self.expr()
            self.take(")")
            return value
        if kind == "func":
            if text.upper() != "SUM":
                raise FormulaError(f"公式中的函数 {text[:20]} 暂不支持（只计算 SUM 与四则运算）")
            return self.sum_args()
        if kind == "range":
            raise FormulaError("区域引用只能用在 SUM 中")
        raise FormulaError(f"公式含有暂不支持的内容“{text}”")

    def sum_args(self) -> Fraction:
        total = Fraction(0)
        if self.peek() == ("op", ")"):
            self.take()
            return total
        while True:
            tok = self.peek()
            if tok is not None and tok[0] == "range":
                self.take()
                a, b = (parse_ref(part) for part in tok[1].split(":"))
                total += self.sheet.range_sum(a, b, self.depth)
            elif tok is not None and tok[0] == "ref" and self._arg_ends(1):
                self.take()
                pos = parse_ref(tok[1])
                total += self.sheet.range_sum(pos, pos, self.depth)  # a lone cell: text skipped too
            else:
                total += self.expr()
            if self.peek() == ("op", ","):
                self.take()
                continue
            self.take(")")
            return total

    def _arg_ends(self, ahead: int) -> bool:
        j = self.i + ahead
        return j < len(self.tokens) and self.tokens[j] in (("op", ","), ("op", ")"))


class SheetValues:
    """The cells of one sheet for the evaluator: values, error values and formulas without a result.

    ``value(pos)`` gives a cell's stored value (None when blank); ``errors`` and ``formulas`` are
    the sheet's error values and uncached formulas by 0-based (row, col); ``bounds`` limits range
    iteration to where values are ((first row, first col, last row, last col), inclusive).
    """

    def __init__(
        self,
        value: CellLookup,
        errors: dict[tuple[int, int], str],
        formulas: dict[tuple[int, int], str | None],
        bounds: tuple[int, int, int, int],
    ):
        self.value = value
        self.errors = errors
        self.formulas = formulas
        self.bounds = bounds
        self.visited = 0
        self.active: set[tuple[int, int]] = set()
        self.results: dict[tuple[int, int], Fraction] = {}

    def evaluate(self, pos: tuple[int, int], depth: int = 0) -> Fraction:
        """The value of the uncached formula at ``pos``."""
        if pos in self.results:
            return self.results[pos]
        if depth > MAX_DEPTH:
            raise FormulaError("公式嵌套过深")
        if pos in self.active:
            raise FormulaError(f"公式循环引用（{ref_name(pos)}）")
        text = self.formulas.get(pos)
        if text is None:
            raise FormulaError("共享公式的内容无法还原")
        if len(text) > MAX_LENGTH:
            raise FormulaError("公式过长")
        self.active.add(pos)
        try:
            value = _Parser(text.lstrip("="), self, depth + 1).formula()
        finally:
            self.active.discard(pos)
        self.results[pos] = value
        return value

    def _count(self, n: int = 1) -> None:
        self.visited += n
        if self.visited > MAX_CELLS:
            raise FormulaError("公式引用的单元格过多")

    def number(self, pos: tuple[int, int], depth: int) -> Fraction:
        """A referenced cell used in arithmetic: a number, a blank (0) or a simple formula."""
        self._count()
        if pos in self.errors:
            raise FormulaError(f"引用的单元格 {ref_name(pos)} 为错误值 {self.errors[pos]}")
        if pos in self.formulas:
            return self.evaluate(pos, depth)
        v = self.value(pos)
        if v is None or v == "":
            return Fraction(0)
        if v.__class__ in (float, int):
            if v != v or v in (float("inf"), float("-inf")):
                raise FormulaError(f"引用的单元格 {ref_name(pos)} 不是有限的数字")
            return Fraction(float_decimal(v) if v.__class__ is float else Decimal(v))  # Excel's 15 digits
        if isinstance(v, Decimal) and v.is_finite():
            return Fraction(v)
        shown = str(v).strip()[:20]
        raise FormulaError(f"引用的单元格 {ref_name(pos)} 不是数字（“{shown}”）")

    def range_sum(self, a: tuple[int, int], b: tuple[int, int], depth: int) -> Fraction:
        """SUM over a range: numbers and simple formulas; text, booleans and blanks are skipped."""
        r0, r1 = sorted((a[0], b[0]))
        c0, c1 = sorted((a[1], b[1]))
        br0, bc0, br1, bc1 = self.bounds
        total = Fraction(0)
        lo_r, hi_r = max(r0, br0), min(r1, br1)
        lo_c, hi_c = max(c0, bc0), min(c1, bc1)
        seen = set()
        if lo_r <= hi_r and lo_c <= hi_c:
            self._count((hi_r - lo_r + 1) * (hi_c - lo_c + 1))
            for r in range(lo_r, hi_r + 1):
                for c in range(lo_c, hi_c + 1):
                    seen.add((r, c))
                    total += self._summand((r, c), depth)
        self._count(len(self.formulas) + len(self.errors))  # the scan below is paid for too
        for pos in [*self.formulas, *self.errors]:  # outside the value bounds (calamine's range)
            if pos not in seen and r0 <= pos[0] <= r1 and c0 <= pos[1] <= c1:
                seen.add(pos)
                total += self._summand(pos, depth)
        return total

    def _summand(self, pos: tuple[int, int], depth: int) -> Fraction:
        if pos in self.errors:
            raise FormulaError(f"引用的单元格 {ref_name(pos)} 为错误值 {self.errors[pos]}")
        if pos in self.formulas:
            return self.evaluate(pos, depth)
        v = self.value(pos)
        if v.__class__ in (float, int) or (isinstance(v, Decimal) and v.is_finite()):
            if v != v or v in (float("inf"), float("-inf")):
                raise FormulaError(f"引用的单元格 {ref_name(pos)} 不是有限的数字")
            return Fraction(float_decimal(v)) if v.__class__ is float else Fraction(v)
        return Fraction(0)


def evaluate_cell(sheet: SheetValues, pos: tuple[int, int]) -> Decimal:
    """The value of the uncached formula at ``pos`` as a Decimal; FormulaError when not simple."""
    sheet.visited = 0  # the cell budget is per evaluation
    return to_decimal(sheet.evaluate(pos))
