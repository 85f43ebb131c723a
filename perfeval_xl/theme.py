"""The theme part of the summary workbook (``xl/theme/theme1.xml``), written here from the DrawingML
schema (ECMA-376 Part 1, §20.1.6): the styles' fonts and colours refer to it (``<color theme="1"/>``,
``<scheme val="minor"/>``), so it carries the values Excel's default "Office" theme gives them:

- colours: dark 1 / light 1 the system's window text and window colours, dark 2 ``1F497D``, light 2
  ``EEECE1``, accents ``4F81BD C0504D 9BBB59 8064A2 4BACC6 F79646``, links ``0000FF`` / ``800080``
  (the Office 2007–2010 colour scheme, as Excel lists it under Page Layout → Colours → Office);
- fonts: headings Cambria, body Calibri, and 宋体 for simplified Chinese in both;
- formats: the schema's minimum of three fill, line, effect and background styles, all plain (the
  summary's charts give their own solid colours).
"""

_COLOURS = (
    ("dk1", '<a:sysClr val="windowText" lastClr="000000"/>'),
    ("lt1", '<a:sysClr val="window" lastClr="FFFFFF"/>'),
    *(
        (name, f'<a:srgbClr val="{rgb}"/>')
        for name, rgb in (
            ("dk2", "1F497D"),
            ("lt2", "EEECE1"),
            ("accent1", "4F81BD"),
            ("accent2", "C0504D"),
            ("accent3", "9BBB59"),
            ("accent4", "8064A2"),
            ("accent5", "4BACC6"),
            ("accent6", "F79646"),
            ("hlink", "0000FF"),
            ("folHlink", "800080"),
        )
    ),
)


def _font(kind: str, latin: str) -> str:
    return (
        f'<a:{kind}><a:latin typeface="{latin}"/><a:ea typeface=""/><a:cs typeface=""/>'
        f'<a:font script="Hans" typeface="宋体"/></a:{kind}>'
    )


_FILL = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'

THEME_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme">'
    '<a:themeElements><a:clrScheme name="Office">'
    + "".join(f"<a:{name}>{colour}</a:{name}>" for name, colour in _COLOURS)
    + '</a:clrScheme><a:fontScheme name="Office">'
    + _font("majorFont", "Cambria")
    + _font("minorFont", "Calibri")
    + '</a:fontScheme><a:fmtScheme name="Office"><a:fillStyleLst>'
    + _FILL * 3
    + "</a:fillStyleLst><a:lnStyleLst>"
    + "".join(f'<a:ln w="{w}">{_FILL}</a:ln>' for w in (9525, 25400, 38100))
    + "</a:lnStyleLst><a:effectStyleLst>"
    + "<a:effectStyle><a:effectLst/></a:effectStyle>" * 3
    + "</a:effectStyleLst><a:bgFillStyleLst>"
    + _FILL * 3
    + "</a:bgFillStyleLst></a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/>"
    "</a:theme>"
)
