"""Write the hostile corpus: .venv/bin/python tests/data/make_hostile.py tests/data/hostile
import io, zipfile, sys
from pathlib import Path
import openpyxl

OUT = Path(sys.argv[1])
H = "indicator,month,value\n"
files = {}
def add(name, data):
    files[name] = data if isinstance(data, bytes) else data.encode("utf-8")

# item 3: overflowing / implausible numbers
add("overflow_1e309.csv", H + "Referrals,2018-01,5\nReferrals,2018-02,1e309\n")
add("overflow_1e308.csv", H + "Referrals,2018-01,1e308\n")
add("overflow_negative_inf.csv", H + "Referrals,2018-01,-1e309\n")
add("overflow_huge_count.csv", H + "Referrals,2018-01,12345678901\n")
add("overflow_wide.csv", "month,Referrals\n2018-01,5\n2018-02,9e99\n")
add("overflow_workforce.csv", "year,measure,value\n2018,Turnover,1e309\n")
add("overflow_thousands.csv", H + 'Referrals,2018-01,"999,999,999,999"\n')
add("plausible_large_ok.csv", H + "Referrals,2018-01,250000\n")
# item 5: look-alike names
add("lookalike_cyrillic_e.csv", "indicator,month,value\nR\u0435ferrals,2018-01,5\n")
add("lookalike_zero_width.csv", "indicator,month,value\nRefer\u200brals,2018-01,5\n")
add("lookalike_wide_header.csv", "month,Refe\u0433rals\n2018-01,5\n".replace("\u0433", "\u0433"))
add("lookalike_greek_omicron.csv", "indicator,month,value\nL\u03bfoked after children,2018-01,5\n")
add("lookalike_site.csv", "indicator,month,site,value\nReferrals,2018-01,D\u0435mo Borough,5\n")
add("lookalike_bom_inside.csv", "indicator,month,value\nReferrals\ufeff,2018-01,5\n")
add("lookalike_soft_hyphen.csv", "indicator,month,value\nRefer\u00adrals,2018-01,5\n")
add("lookalike_measure.csv", "year,measure,value\n2018,Turn\u043ever,5\n")
add("lookalike_theme.csv", "wave,theme,polarity,excerpt,source\n+1 year,W\u043erkload,negative,Too busy.,interview\n")
add("case_variant_ok.csv", H + "REFERRALS,2018-01,5\n  referrals ,2018-02,6\n")
# item 6: encodings and stray bytes
add("mixed_cp1252_then_utf8.csv", H.encode() + "Caf\u00e9 visits,2018-01,5\n".encode("cp1252") + "Caf\u00e9 visits,2018-02,6\n".encode())
add("mixed_utf8_then_cp1252_late.csv", H.encode() + b"".join(f"Referrals,{2000 + m // 12}-{m % 12 + 1:02d},{m}\n".encode() for m in range(200)) + "Caf\u00e9,2018-01,5\n".encode() + "Caf\u00e9,2018-02,6\n".encode("cp1252"))
add("nul_late.csv", H.encode() + b"".join(f"Referrals,{2000 + m // 12}-{m % 12 + 1:02d},{m}\n".encode() for m in range(300)) + b"Refer\x00rals,2019-01,5\n")
add("escape_in_name.csv", H.encode() + b"Referrals,2018-01,5\n\x1b[2J\x1b[31mReferrals,2018-02,6\n")
add("escape_late.csv", H.encode() + b"".join(f"Referrals,{2000 + m // 12}-{m % 12 + 1:02d},{m}\n".encode() for m in range(300)) + b"Referrals\x1b]0;pwned\x07,2019-01,5\n")
add("c1_csi_utf8.csv", H + "Referrals,2018-01,5\nReferrals\u009b31m,2018-02,6\n")
add("bidi_override.csv", H + "Referrals,2018-01,5\n\u202eslarrefeR,2018-02,6\n")
add("delete_char.csv", H.encode() + b"Referrals,2018-01,5\nRefer\x7frals,2018-02,6\n")
add("lone_cr.csv", b"indicator,month,value\rReferrals,2018-01,5\rReferrals,2018-02,6\r")
add("mixed_newlines.csv", b"indicator,month,value\r\nReferrals,2018-01,5\rReferrals,2018-02,6\n")
add("semicolon_decimal_comma.csv", "indicator;month;value\nReferrals;2018-01;12,5\nReferrals;2018-02;1234,75\n")
add("semicolon_ambiguous_comma.csv", "indicator;month;value\nReferrals;2018-01;1,234\nReferrals;2018-02;99\n")
add("semicolon_dot_and_comma.csv", "indicator;month;value\nReferrals;2018-01;1.234,5\n")
add("utf16_with_escape.csv", ("indicator,month,value\nReferrals,2018-01,5\nRef\x1b[0merrals,2018-02,6\n").encode("utf-16"))
add("bom_then_nul.csv", b"\xef\xbb\xbf" + H.encode() + b"Referrals,2018-01,5\nRef\x00,2018-02,6\n")
# item 7: wide files, workbooks
add("wide_300_columns.csv", "month," + ",".join(f"Series {i:03d}" for i in range(300)) + "\n" + "\n".join(f"2018-{m:02d}," + ",".join(str(i + m) for i in range(300)) for m in range(1, 4)) + "\n")

def workbook(rows):
    wb = openpyxl.Workbook(); ws = wb.active
    for r in rows: ws.append(r)
    buf = io.BytesIO(); wb.save(buf); return buf.getvalue()

def rewrite(xlsx: bytes, part: str, fn) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(xlsx)); out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = fn(data)
            dst.writestr(info.filename, data)
    return out.getvalue()

good = workbook([["indicator", "month", "value"], ["Referrals", "2018-01", 5]])
SHEET = "xl/worksheets/sheet1.xml"
import re
add("xlsx_huge_dimension.xlsx", rewrite(good, SHEET, lambda d: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', d)))
add("xlsx_entity_bomb.xlsx", rewrite(good, SHEET, lambda d: d.replace(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>", b"").replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b"").join([b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>', b""])))
def bomb(xlsx):
    src = zipfile.ZipFile(io.BytesIO(xlsx)); out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (260 * 1024 * 1024))
    return out.getvalue()
add("xlsx_zip_bomb.xlsx", bomb(good))
add("xlsx_overflow_value.xlsx", workbook([["indicator", "month", "value"], ["Referrals", "2018-01", 1e308]]))
add("xlsx_lookalike_name.xlsx", workbook([["indicator", "month", "value"], ["R\u0435ferrals", "2018-01", 5]]))
add("xlsx_not_a_zip.xlsx", b"PK\x03\x04" + b"\x00" * 60)
# item 11: wrong columns
add("wrong_columns_amount.csv", "indicator,month,amount\nReferrals,2018-01,5\nReferrals,2018-02,6\n")
add("wrong_columns_swapped.csv", "month,indicator,number\n2018-01,Referrals,5\n")
# other careless files
add("formula_injection_name.csv", H + "=HYPERLINK(\"http://127.0.0.1/x\"),2018-01,5\n")
add("markdown_name_ok.csv", H + "\"Leak ![p](http://127.0.0.1:8999/x.png)\",2018-01,5\n")
add("very_long_name.csv", H + ("R" * 5000) + ",2018-01,5\n")
add("unterminated_quote_late.csv", H + "Referrals,2018-01,5\n\"Referrals,2018-02,6\n")
for name, data in files.items():
    (OUT / name).write_bytes(data)
print(len(files))
