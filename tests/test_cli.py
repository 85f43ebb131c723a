"""The command line: every sub-command has Chinese help; bad arguments exit 2 with a short message."""

import pytest

from perfeval_xl.cli import COMMANDS, build_parser, main


def test_every_command_is_registered():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(COMMANDS)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"] if command else ["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "显示本帮助并退出" in out and "选项" in out


def test_no_command_and_bad_arguments_exit_2(capsys):
    assert main([]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["score"])
    assert exc.value.code == 2
    assert "参数错误" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["no-such-command"])
    assert exc.value.code == 2


def test_argparse_messages_are_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["score"])
    err = capsys.readouterr().err
    assert "缺少必需的参数" in err and "用法：" in err
    assert "the following arguments are required" not in err and "usage:" not in err
    with pytest.raises(SystemExit):
        main(["template", "-o", "t.xlsx", "--flavor", "nope"])
    err = capsys.readouterr().err
    assert "无效的选项值 'nope'" in err and "invalid choice" not in err
    with pytest.raises(SystemExit):
        main(["score", "x.txt", "--no-such-option"])
    assert "无法识别的参数" in capsys.readouterr().err


def test_argparse_is_english_again_for_other_users():
    import argparse

    main([])  # prints the help, returns 2
    assert argparse._("usage: ") == "usage: "


def test_template_refuses_a_missing_folder_and_a_wrong_suffix(tmp_path, capsys):
    missing = tmp_path / "nonexistent" / "dir" / "t.xlsx"
    assert main(["template", "-o", str(missing)]) == 2
    assert "文件夹不存在" in capsys.readouterr().err
    assert not (tmp_path / "nonexistent").exists()  # never created silently
    assert main(["template", "-o", str(tmp_path / "t.xls")]) == 2
    assert "应以 .xlsx 结尾" in capsys.readouterr().err
    assert not (tmp_path / "t.xls").exists()


def test_exit_codes_are_the_same_table_for_every_command(tmp_path, capsys):
    good, bad = "tests/data/seed_forms.txt", tmp_path / "bad.txt"
    bad.write_text("没有表格\n", encoding="utf-8")
    # score: one input unreadable, the others scored -> 3 (as import and consolidate); nothing usable -> 2
    assert main(["score", good, str(bad)]) == 3
    assert main(["score", str(bad)]) == 2
    out = tmp_path / "imported.xlsx"
    assert main(["import", good, str(bad), "-o", str(out)]) == 3 and out.exists()
    assert main(["import", str(bad), "-o", str(tmp_path / "none.xlsx")]) == 2
    assert main(["recalc", str(out), "-o", str(tmp_path / "r.xls")]) == 2
    capsys.readouterr()
    from perfeval_xl.cli import EXIT_CODES

    assert sorted(EXIT_CODES) == [0, 1, 2, 3]


def _parse_output(parser, argv, capsys) -> tuple[object, str, str]:
    from perfeval_xl.cli import _chinese_argparse

    with _chinese_argparse():
        try:
            outcome: object = vars(parser.parse_args(argv))
        except SystemExit as exc:
            outcome = ("exit", exc.code)
    captured = capsys.readouterr()
    return outcome, captured.out, captured.err


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_parser_of_one_command_parses_it_like_the_whole_parser(command, capsys):
    """``main`` builds only the sub-command named first: its help, its errors and its parsed arguments
    are those of the whole command line."""
    for argv in ([command, "--help"], [command], [command, "x", "--no-such-option"], [command, "a.xlsx"]):
        whole = _parse_output(build_parser(), argv, capsys)
        alone = _parse_output(build_parser(command), argv, capsys)
        assert whole == alone, argv
    sub = next(a for a in build_parser(command)._actions if a.dest == "command")
    assert list(sub.choices) == [command]
