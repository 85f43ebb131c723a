"""The xlwings Lite bundle: one self-contained ``main.py`` generated from this package at run time.

xlwings Lite runs Python in Pyodide inside Excel and reads the workbook's own ``main.py``; it cannot
``pip install`` perfeval-xl, and pasting the package's files breaks their relative imports. So
:func:`build_main` writes a ``main.py`` that

1. embeds, unmodified, the sources of ``udfs.py`` and of every ``perfeval_xl`` module it needs (found by
   following their imports; every other import must be of the standard library, or generation stops);
2. serves them to Python's import system from those strings (a meta-path finder), so relative imports,
   dataclasses and tracebacks work as in the package;
3. declares each UDF of ``udfs.__all__`` the Lite way — ``@func`` with the ``@arg`` names and
   descriptions that ``udfs.py`` gives, under the same name as in the classic template, no prefix;
4. adds the ``@script`` :func:`perfeval_xl.lite_sheet.write_formulas`, which enters the template's
   formulas again through Lite's API (formulas saved into the file by openpyxl do not bind to Lite's
   functions until they are).

Nothing here is a hand-kept copy: regenerate after every change of the package.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
from pathlib import Path

from . import __version__

PACKAGE = "perfeval_xl"
#: the module name ``udfs.py`` gets inside the bundle (kept apart from any ``udfs`` of the workbook)
UDFS_NAME = "_perfeval_udfs"
#: modules the bundle needs beyond what ``udfs.py`` imports
EXTRA_ROOTS = (f"{PACKAGE}.lite_sheet",)
ORIGIN = "<perfeval-xl lite>"
SCRIPT_NAME = "写入公式"

REQUIREMENTS = (
    "# perfeval-xl 的函数只用 Python 标准库，不需要安装任何包。\n"
    "# 请保留 xlwings Lite 自己写在这里的 xlwings 一行（若有）。\n"
)


class BundleError(Exception):
    """The package cannot be bundled (a core module imports something outside the standard library)."""


def _source(name: str) -> tuple[str, Path]:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        raise BundleError(f"找不到模块 {name} 的源文件")
    path = Path(spec.origin)
    return path.read_text(encoding="utf-8"), path


def _is_package(name: str) -> bool:
    return name == PACKAGE


def _imports(name: str, source: str) -> set[str]:
    """Every module ``source`` imports (relative imports resolved against ``name``), at any depth."""
    package = name if _is_package(name) else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            if target == PACKAGE:  # ``from perfeval_xl import layout`` imports a submodule
                found.update(f"{PACKAGE}.{alias.name}" for alias in node.names)
    return found


def _lazy_only(name: str, source: str) -> set[str]:
    """Package-level ``__getattr__`` imports (loaded on demand only: not needed by the bundle)."""
    lazy: set[str] = set()
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
            lazy |= _imports(name, ast.unparse(node))
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            lazy |= _imports(name, ast.unparse(node))
    return lazy


def core_sources() -> dict[str, str]:
    """Module name -> source, for ``udfs.py`` (as :data:`UDFS_NAME`) and every package module it needs."""
    udfs_source, _ = _source("udfs")
    sources: dict[str, str] = {UDFS_NAME: udfs_source}
    todo = sorted(_imports("udfs", udfs_source) | set(EXTRA_ROOTS) | {PACKAGE})
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        top = name.partition(".")[0]
        if top == "__future__":
            continue
        if top != PACKAGE:
            if top == "xlwings":  # udfs.py uses it when present; Lite provides it
                continue
            if top not in sys.stdlib_module_names:
                raise BundleError(f"核心模块导入了非标准库模块 {name}，无法打包到 xlwings Lite")
            continue
        source, _ = _source(name)
        sources[name] = source
        needed = _imports(name, source)
        if _is_package(name):
            needed -= _lazy_only(name, source)
        todo.extend(sorted(needed - seen))
    return sources


def _arg_decorators(udfs_source: str) -> dict[str, list[str]]:
    """Function name -> its ``_arg(...)`` decorators in ``udfs.py``, as ``@arg(...)`` source lines."""
    out: dict[str, list[str]] = {}
    for node in ast.parse(udfs_source).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        lines = []
        for dec in node.decorator_list:
            if isinstance(dec, ast.Call) and isinstance(dec.func, ast.Name) and dec.func.id == "_arg":
                args = [repr(ast.literal_eval(a)) for a in dec.args]
                kwargs = [f"{k.arg}={ast.literal_eval(k.value)!r}" for k in dec.keywords]
                lines.append(f"@arg({', '.join(args + kwargs)})")
        out[node.name] = lines
    return out


def _udf_declarations(udfs_source: str) -> str:
    """The ``@func`` wrappers of every UDF, generated from the loaded ``udfs`` module's signatures."""
    import udfs  # the same file whose source is embedded

    decorators = _arg_decorators(udfs_source)
    blocks = []
    for name in udfs.__all__:
        fn = getattr(udfs, name)
        sig = inspect.signature(fn)
        params = ", ".join(sig.parameters)
        doc = inspect.getdoc(fn) or name
        body = [
            "@func",
            *decorators.get(name, []),
            f"def {name}{sig}:",
            f"    {doc!r}",
            f"    return _udfs.{name}({params})",
        ]
        blocks.append("\n".join(body))
    return "\n\n\n".join(blocks)


_LOADER = '''
class _BundleFinder(_importlib_abc.MetaPathFinder, _importlib_abc.Loader):
    """Serves the embedded modules to the import system (relative imports work as in the package)."""

    perfeval_bundle = True

    def find_spec(self, name, path=None, target=None):
        if name not in _SOURCES:
            return None
        return _importlib_util.spec_from_loader(
            name, self, origin=f"{_ORIGIN}/{name}", is_package=name == "perfeval_xl"
        )

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__spec__.name
        module.__file__ = module.__spec__.origin
        exec(compile(_SOURCES[name], module.__file__, "exec"), module.__dict__)


# Lite runs main.py again after every edit: drop the previous run's finder and modules first.
_sys.meta_path[:] = [f for f in _sys.meta_path if not getattr(f, "perfeval_bundle", False)]
for _name in _SOURCES:
    _sys.modules.pop(_name, None)
_sys.meta_path.insert(0, _BundleFinder())

import xlwings as xw  # noqa: E402
from xlwings import arg, func, ret, script  # noqa: E402,F401

# udfs.py decorates with xlwings when it can import it; here the functions below are the ones Lite
# registers, so it loads with its own no-op decorators.
_xlwings = _sys.modules.get("xlwings")
_sys.modules["xlwings"] = None
try:
    _udfs = _importlib.import_module(_UDFS)
finally:
    _sys.modules["xlwings"] = _xlwings
_lite_sheet = _importlib.import_module("perfeval_xl.lite_sheet")
'''


def build_main() -> str:
    """The text of the Lite ``main.py``."""
    sources = core_sources()
    udfs_source = sources[UDFS_NAME]
    embedded = ",\n".join(f"    {name!r}: {src!r}" for name, src in sorted(sources.items()))
    parts = [
        f'"""perfeval-xl {__version__} for xlwings Lite: 财政项目支出绩效自评 functions and the {SCRIPT_NAME} script.\n\n'
        "Generated by `perfeval-xl lite`; do not edit: regenerate from the package instead. The package's\n"
        "standard-library modules are embedded below as source text and imported from there.\n"
        '"""',
        "import importlib as _importlib\n"
        "import importlib.abc as _importlib_abc\n"
        "import importlib.util as _importlib_util\n"
        "import sys as _sys",
        f"_ORIGIN = {ORIGIN!r}\n_UDFS = {UDFS_NAME!r}\n_SOURCES = {{\n{embedded},\n}}",
        _LOADER.strip(),
        "# ---- the functions, as the template's formulas call them ----",
        _udf_declarations(udfs_source),
        "# ---- the script ----",
        "@script\n"
        f"def {SCRIPT_NAME}(book: xw.Book):\n"
        '    """把模板的公式重新写入每张自评表（xlwings Lite 只认通过它写入的公式）。\n\n'
        "    运行前请先“审阅 → 撤销工作表保护”，运行后再“保护工作表”（均无密码）。\n"
        '    """\n'
        "    _lite_sheet.write_formulas(book)",
    ]
    return "\n\n\n".join(parts) + "\n"


def write_bundle(folder: str | Path) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` into ``folder`` (which must exist)."""
    out = Path(folder)
    main_py = out / "main.py"
    requirements = out / "requirements.txt"
    main_py.write_text(build_main(), encoding="utf-8")
    requirements.write_text(REQUIREMENTS, encoding="utf-8")
    return [main_py, requirements]
