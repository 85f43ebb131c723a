"""A stand-in for xlwings Lite's decorators (tests only): records what the bundle's main.py declares.

Like Lite's ``xlarg``, ``arg`` refuses a name the function does not have.
"""

import inspect

FUNCS = {}
SCRIPTS = {}


def _meta(f):
    if "__xlfunc__" not in f.__dict__:
        f.__xlfunc__ = {"name": f.__name__, "args": {}, "ret": {}, "options": {}}
    return f.__xlfunc__


def func(f=None, **options):
    def inner(f):
        _meta(f)["options"] = options
        FUNCS[f.__name__] = f
        return f

    return inner if f is None else inner(f)


def arg(name, convert=None, **options):
    def inner(f):
        if name.lstrip("*") not in inspect.signature(f).parameters:
            raise Exception(f"Invalid argument name '{name}'.")
        _meta(f)["args"][name] = dict(options, convert=convert)
        return f

    return inner


def ret(convert=None, **options):
    def inner(f):
        _meta(f)["ret"] = dict(options, convert=convert)
        return f

    return inner


def script(f=None, **options):
    def inner(f):
        SCRIPTS[f.__name__] = f
        return f

    return inner if f is None else inner(f)


class Book:
    """Only the type hint of scripts."""
