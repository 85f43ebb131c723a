"""The rules' cache of functions of short texts (:mod:`perfeval_xl.textmemo`)."""

from perfeval_xl import textmemo


def test_short_texts_are_remembered_long_ones_and_numbers_worked_out_afresh():
    calls = []

    @textmemo.short_texts(maxsize=8)
    def f(*texts):
        calls.append(texts)
        return "|".join(map(str, texts))

    short = "甲" * (textmemo.LONGEST - 1)
    assert f(short, "乙") == f(short, "乙") == f"{short}|乙"
    assert len(calls) == 1  # remembered: together at most LONGEST characters
    long = short + "丙乙"
    assert f(long) == f(long) == long
    assert len(calls) == 3  # longer: worked out each time
    assert f(2023) == f(2023) == "2023"
    assert len(calls) == 5  # a number has no length: never cached
    f.cache_clear()
    f(short, "乙")
    assert len(calls) == 6  # emptied (the batch does this every so many files)
    assert f.__wrapped__("x") == "x"
