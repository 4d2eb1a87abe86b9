"""Yearly workforce figures (parsed by :mod:`rpgdash.ingest.workforce`)."""

from __future__ import annotations

from rpgdash.ingest.kinds.base import UploadKind
from rpgdash.ingest.kinds.keyed import KeyedValues
from rpgdash.ingest.workforce import parse_workforce

STORAGE = KeyedValues(
    key={"site_id": "site_id", "year": "key_year", "measure": "key_measure"},
    keyed=(
        "SELECT p.line, NULL::INTEGER AS key_id, s.site_id, NULL::DATE AS key_date, "
        "p.year AS key_year, p.measure AS key_measure, p.value FROM incoming p "
        "JOIN sites s ON s.name = p.site"
    ),
    join=(
        "LEFT JOIN sites s ON s.name = p.site "
        "LEFT JOIN workforce v ON v.site_id = s.site_id AND v.year = p.year "
        "AND v.measure = p.measure"
    ),
    show="p.line, p.site, p.year, p.measure",
    series="p.measure, p.site",
    period="p.year",
    name_column="measure",
    same_series=(
        "SELECT EXISTS (SELECT 1 FROM workforce WHERE measure IN (SELECT unnest($names)) "
        "AND site_id IN (SELECT site_id FROM sites WHERE name IN (SELECT unnest($sites))))"
    ),
    conflict_label="k.key_measure",
    conflict_period="k.key_year::VARCHAR",
)

SPEC = UploadKind(
    name="workforce",
    label="Yearly workforce figures",
    parse=parse_workforce,
    table="workforce",
    key=tuple(STORAGE.key),
    coverage="measure, site, first AS first_year, last AS last_year, n AS years",
    storage=STORAGE,
)
