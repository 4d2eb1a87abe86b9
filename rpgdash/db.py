"""The DuckDB database: opening it safely, its schema (as migrations) and the one write path.

The schema is documented here and only here. Tables, in the order data flows into them:

``schema_version``
    One row per applied migration. Opening an older file upgrades it; a newer one is refused.
``sites``
    Organisations whose data is stored. ``kind`` is ``local_authority`` for the customer's own
    sites and ``national`` or ``region`` for comparison rows (e.g. from DfE workforce files).
``waves``
    Survey waves: label (``+1 year``), fieldwork dates, display order and whether the wave can
    be compared with the others (the study's baseline could not).
``wave_sites``
    How many staff were invited to a wave at a site (for response rates).
``roles``
    Job roles, ``rank`` ordering them by hierarchy (1 = most senior).
``statements``
    Survey agreement statements: domain (``professional``, ``self_efficacy``,
    ``relationships``), text, order within the domain, and whether the text comes from the
    study (``from_paper``) or is an illustrative addition.
``respondents`` / ``responses``
    One row per person per wave, and their score (1-4, NULL = no answer) per statement.
``indicators`` / ``indicator_values``
    Monthly organisational series, their unit and improvement direction, and one value per
    indicator, site and month (``month`` is the first day of the month). ``indicator_values``
    is a plain table without a primary key or foreign keys (migration 2 dropped them): at
    most one row per (indicator_id, site_id, month), and ids that name stored indicators,
    sites and uploads, are invariants kept by the single write path rather than by an index.
    Uploads (``rpgdash/ingest/store.py``) refuse a file that repeats a key and then, in one
    transaction under the write lock of :meth:`Database.transaction`, update stored keys in
    place and insert only keys not stored (reverts restore or delete exactly those rows); the
    demo builder writes one row per key by construction; nothing else in the product writes
    the table, and ``tests/test_ingest_store.py`` checks the invariant. The reason is the
    bulk-load benchmark (``tests/bench/bench_ingest.py``): with the composite key, inserting
    a million rows cost about 3.5 times DuckDB's plain load of the same CSV, and the three
    foreign keys about three times more, while a whole validated upload must take at most
    three times that load.
``workforce``
    Yearly workforce measures (percent rates) per site.
``events``
    Dated annotations for charts (RPG start, fieldwork, facilitator change). ``site_id`` NULL
    means every site.
``notes``
    Short stored findings that leaders may edit (e.g. the new-starters finding), with source.
``uploads`` / ``upload_changes`` / ``upload_created``
    Provenance of every stored upload; for each stored value an upload changed, the value it
    replaced (rows an upload added carry its ``upload_id``), and the rows of other tables it
    created, so that an upload can be reverted exactly.
``themes`` / ``theme_statements`` / ``theme_measures``
    Qualitative themes from the thematic analysis of interviews and focus groups: the wave
    whose fieldwork found them, a name, polarity (``positive`` or ``negative``), a short
    description, display ``position``, whether the theme is named in the study
    (``from_paper``) and, in ``link_note``, why it is linked to no survey statement when that
    is the case. The links name the survey statements each theme corresponds to, and the
    workforce measures (``Agency staffing``, ``Vacancies`` ...) it speaks to.
``excerpts``
    Coded excerpts: one short passage per row, its theme, site, source type (``interview``,
    ``focus group``, ``survey comment``, ``observation``), the speaker's job role when
    recorded (NULL otherwise) and whether it is an illustrative demo excerpt. Themes and
    excerpts an upload added carry its ``upload_id``.
``benchmark_measures`` / ``benchmark_areas`` / ``benchmark_values``
    Published comparison figures (DfE Explore Education Statistics files): each measure with
    the DfE column it came from, its unit and improvement direction; each area (England, a
    region or a local authority, the customer's own included) with its codes; one value per
    area, measure and DfE ``time_period`` (``2018`` or ``201819``) per upload. An upload adds
    rows rather than overwriting them: the stored value of a key is the one of the latest
    upload holding it (``upload_id`` 0 is the demo), so reverting an upload is deleting its
    rows (``rpgdash/benchmarks/store.py``).
``statistical_neighbours``
    DfE's statistical neighbours: for a local authority (by ``old_la_code`` and name) its
    neighbours in order (``position`` 1-10) with the closeness band where given; the set in
    force for an authority is the latest upload's.
``site_la_codes``
    The LA code (new ``E0…`` or old three-digit) a stored site carries, for matching DfE rows
    to it; the latest row per site is in force.
``survey_results``
    Survey comparisons computed when the data were stored (derived data, see migration 6):
    per site (``site_id`` 0 = every site), wave pair and ``min_group``, the frames of
    ``compare_waves`` and ``compare_domains`` and the fingerprint of their inputs. At most
    one row per (site_id, wave_a, wave_b, min_group), kept by ``rpgdash/results_store.py``.
``survey_page_views``
    The survey pages' views built when the data were stored (derived data, see migration 7):
    per site, pair of the site's waves, ``min_group``, adjustment and domain, kept by
    ``rpgdash/view_store.py`` in the same transaction as ``survey_results``.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from rpgdash import settings
from rpgdash.errors import RpgdashError

DOMAINS = ("professional", "self_efficacy", "relationships")
DIRECTIONS = ("increase", "decrease", "neutral")


class DatabaseError(RpgdashError):
    """A problem opening or using the database, with a message meant for the user."""


class DatabaseBusyError(DatabaseError):
    pass


class SchemaTooNewError(DatabaseError):
    pass


_MIGRATION_1 = """
CREATE TABLE schema_version (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE SEQUENCE site_ids START 1;
CREATE TABLE sites (
    site_id INTEGER PRIMARY KEY DEFAULT nextval('site_ids'),
    name VARCHAR NOT NULL UNIQUE,
    kind VARCHAR NOT NULL DEFAULT 'local_authority'
        CHECK (kind IN ('local_authority', 'region', 'national'))
);
CREATE SEQUENCE wave_ids START 1;
CREATE TABLE waves (
    wave_id INTEGER PRIMARY KEY DEFAULT nextval('wave_ids'),
    label VARCHAR NOT NULL UNIQUE,
    fieldwork_start DATE,
    fieldwork_end DATE,
    wave_order INTEGER NOT NULL,
    comparable BOOLEAN NOT NULL DEFAULT TRUE,
    note VARCHAR
);
CREATE TABLE wave_sites (
    wave_id INTEGER NOT NULL REFERENCES waves (wave_id),
    site_id INTEGER NOT NULL REFERENCES sites (site_id),
    invited INTEGER CHECK (invited IS NULL OR invited >= 0),
    PRIMARY KEY (wave_id, site_id)
);
CREATE SEQUENCE role_ids START 1;
CREATE TABLE roles (
    role_id INTEGER PRIMARY KEY DEFAULT nextval('role_ids'),
    name VARCHAR NOT NULL UNIQUE,
    rank INTEGER NOT NULL
);
CREATE SEQUENCE statement_ids START 1;
CREATE TABLE statements (
    statement_id INTEGER PRIMARY KEY DEFAULT nextval('statement_ids'),
    domain VARCHAR NOT NULL
        CHECK (domain IN ('professional', 'self_efficacy', 'relationships')),
    text VARCHAR NOT NULL UNIQUE,
    position INTEGER NOT NULL,
    from_paper BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE SEQUENCE upload_ids START 1;
CREATE TABLE uploads (
    upload_id INTEGER PRIMARY KEY DEFAULT nextval('upload_ids'),
    uploaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    uploaded_by VARCHAR,
    kind VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    encoding VARCHAR,
    rows_added INTEGER NOT NULL DEFAULT 0,
    rows_changed INTEGER NOT NULL DEFAULT 0,
    rows_unchanged INTEGER NOT NULL DEFAULT 0,
    rows_missing INTEGER NOT NULL DEFAULT 0,
    status VARCHAR NOT NULL DEFAULT 'stored' CHECK (status IN ('stored', 'reverted')),
    reverted_at TIMESTAMP
);
CREATE SEQUENCE respondent_ids START 1;
CREATE TABLE respondents (
    respondent_id INTEGER PRIMARY KEY DEFAULT nextval('respondent_ids'),
    site_id INTEGER NOT NULL REFERENCES sites (site_id),
    wave_id INTEGER NOT NULL REFERENCES waves (wave_id),
    role_id INTEGER NOT NULL REFERENCES roles (role_id),
    external_id VARCHAR NOT NULL,
    upload_id INTEGER REFERENCES uploads (upload_id),
    UNIQUE (site_id, wave_id, external_id)
);
CREATE TABLE responses (
    respondent_id INTEGER NOT NULL REFERENCES respondents (respondent_id),
    statement_id INTEGER NOT NULL REFERENCES statements (statement_id),
    score TINYINT CHECK (score IS NULL OR score BETWEEN 1 AND 4),
    PRIMARY KEY (respondent_id, statement_id)
);
CREATE SEQUENCE indicator_ids START 1;
CREATE TABLE indicators (
    indicator_id INTEGER PRIMARY KEY DEFAULT nextval('indicator_ids'),
    name VARCHAR NOT NULL UNIQUE,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL CHECK (direction IN ('increase', 'decrease', 'neutral')),
    description VARCHAR,
    target DOUBLE
);
CREATE TABLE indicator_values (
    indicator_id INTEGER NOT NULL REFERENCES indicators (indicator_id),
    site_id INTEGER NOT NULL REFERENCES sites (site_id),
    month DATE NOT NULL,
    value DOUBLE NOT NULL,
    upload_id INTEGER REFERENCES uploads (upload_id),
    PRIMARY KEY (indicator_id, site_id, month)
);
CREATE TABLE workforce (
    site_id INTEGER NOT NULL REFERENCES sites (site_id),
    year INTEGER NOT NULL,
    measure VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    upload_id INTEGER REFERENCES uploads (upload_id),
    PRIMARY KEY (site_id, year, measure)
);
CREATE SEQUENCE event_ids START 1;
CREATE TABLE events (
    event_id INTEGER PRIMARY KEY DEFAULT nextval('event_ids'),
    site_id INTEGER REFERENCES sites (site_id),
    event_date DATE NOT NULL,
    end_date DATE,
    label VARCHAR NOT NULL,
    kind VARCHAR NOT NULL DEFAULT 'event'
);
CREATE TABLE notes (
    key VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE upload_changes (
    upload_id INTEGER NOT NULL REFERENCES uploads (upload_id),
    table_name VARCHAR NOT NULL CHECK (table_name IN ('indicator_values', 'workforce')),
    site_id INTEGER NOT NULL,
    key_id INTEGER,
    key_date DATE,
    key_year INTEGER,
    key_measure VARCHAR,
    old_value DOUBLE,
    old_upload_id INTEGER,
    new_value DOUBLE NOT NULL
);
"""

# Migration 2 (upload pipeline, issue 6):
# - ``responses`` loses its foreign key to ``respondents``: DuckDB cannot delete a parent row
#   and its child rows in one transaction, so with that key a survey upload could not be
#   reverted all-or-nothing. The primary key and the key to ``statements`` stay.
# - ``upload_created`` records the sites, indicators, waves and wave_sites rows an upload
#   created, so that reverting it removes them again (when nothing else uses them).
_MIGRATION_2 = """
CREATE TABLE responses_v2 (
    respondent_id INTEGER NOT NULL,
    statement_id INTEGER NOT NULL REFERENCES statements (statement_id),
    score TINYINT CHECK (score IS NULL OR score BETWEEN 1 AND 4),
    PRIMARY KEY (respondent_id, statement_id)
);
INSERT INTO responses_v2 SELECT respondent_id, statement_id, score FROM responses;
DROP TABLE responses;
ALTER TABLE responses_v2 RENAME TO responses;
CREATE TABLE upload_created (
    upload_id INTEGER NOT NULL REFERENCES uploads (upload_id),
    table_name VARCHAR NOT NULL
        CHECK (table_name IN ('sites', 'indicators', 'waves', 'wave_sites')),
    key_id INTEGER NOT NULL,
    site_id INTEGER
);
-- indicator_values loses its primary key and foreign keys, for bulk-load speed; the write
-- path keeps one row per (indicator_id, site_id, month) (see the module docstring).
CREATE TABLE indicator_values_v2 (
    indicator_id INTEGER NOT NULL,
    site_id INTEGER NOT NULL,
    month DATE NOT NULL,
    value DOUBLE NOT NULL,
    upload_id INTEGER
);
INSERT INTO indicator_values_v2
SELECT indicator_id, site_id, month, value, upload_id FROM indicator_values
ORDER BY indicator_id, site_id, month;
DROP TABLE indicator_values;
ALTER TABLE indicator_values_v2 RENAME TO indicator_values;
"""

# Migration 3 (mixed-methods evidence, issue 7): qualitative themes, their links to survey
# statements and workforce measures, and coded excerpts. Links and excerpts carry theme_id
# without a foreign key, for the reason given for migration 2: an upload that created a theme
# and its excerpts must be revertible in one transaction.
_MIGRATION_3 = """
CREATE SEQUENCE theme_ids START 1;
CREATE TABLE themes (
    theme_id INTEGER PRIMARY KEY DEFAULT nextval('theme_ids'),
    wave_id INTEGER NOT NULL REFERENCES waves (wave_id),
    name VARCHAR NOT NULL,
    polarity VARCHAR NOT NULL CHECK (polarity IN ('positive', 'negative')),
    description VARCHAR,
    position INTEGER NOT NULL DEFAULT 0,
    from_paper BOOLEAN NOT NULL DEFAULT FALSE,
    link_note VARCHAR,
    upload_id INTEGER REFERENCES uploads (upload_id),
    UNIQUE (wave_id, name)
);
CREATE TABLE theme_statements (
    theme_id INTEGER NOT NULL,
    statement_id INTEGER NOT NULL REFERENCES statements (statement_id),
    PRIMARY KEY (theme_id, statement_id)
);
CREATE TABLE theme_measures (
    theme_id INTEGER NOT NULL,
    measure VARCHAR NOT NULL,
    PRIMARY KEY (theme_id, measure)
);
CREATE SEQUENCE excerpt_ids START 1;
CREATE TABLE excerpts (
    excerpt_id INTEGER PRIMARY KEY DEFAULT nextval('excerpt_ids'),
    theme_id INTEGER NOT NULL,
    site_id INTEGER NOT NULL REFERENCES sites (site_id),
    source_type VARCHAR NOT NULL
        CHECK (source_type IN ('interview', 'focus group', 'survey comment', 'observation')),
    role_id INTEGER REFERENCES roles (role_id),
    text VARCHAR NOT NULL,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    upload_id INTEGER REFERENCES uploads (upload_id)
);
"""

_NEXTVAL = re.compile(r"^nextval\('([A-Za-z_][A-Za-z0-9_]*)'\)$")


def advance_sequences(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Move every id sequence past the largest id stored in its column; return those moved.

    A row inserted with an explicit id leaves its column's sequence behind, and the next
    ``nextval`` then collides with a stored id ("Duplicate key"). The product allocates ids
    from the sequences; this repairs files written before it did (migration 4).
    """
    columns = con.execute(
        "SELECT table_name, column_name, column_default FROM duckdb_columns() "
        "WHERE schema_name = 'main' AND column_default LIKE 'nextval(%'"
    ).fetchall()
    last_values = dict(
        con.execute(
            "SELECT sequence_name, last_value FROM duckdb_sequences() WHERE schema_name = 'main'"
        ).fetchall()
    )
    moved = []
    for table, column, default in columns:
        match = _NEXTVAL.match(default)
        if match is None:
            continue
        sequence = match.group(1)
        # Identifiers come from the catalogue, not from users; they cannot be bound.
        top = con.execute(f'SELECT max("{column}") FROM "{table}"').fetchall()[0][0]
        last = last_values.get(sequence)
        if top is not None and (last is None or last < top):
            con.execute("SELECT setval(?, ?)", [sequence, int(top)])
            moved.append(sequence)
    return moved


def _migration_4(con: duckdb.DuckDBPyConnection) -> None:
    """Repair id sequences left behind by direct-id inserts (the demo before issue 10)."""
    advance_sequences(con)


# Migration 5 (benchmarks, issue 15): published comparison figures and statistical neighbours.
# Self-contained: no foreign keys (uploads are reverted by deleting their rows, see the module
# docstring) and no change to earlier tables.
_MIGRATION_BENCHMARKS = """
CREATE SEQUENCE benchmark_measure_ids START 1;
CREATE TABLE benchmark_measures (
    measure_id INTEGER PRIMARY KEY DEFAULT nextval('benchmark_measure_ids'),
    name VARCHAR NOT NULL UNIQUE,
    dfe_column VARCHAR NOT NULL UNIQUE,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL CHECK (direction IN ('increase', 'decrease', 'neutral')),
    release VARCHAR,
    upload_id INTEGER NOT NULL DEFAULT 0
);
CREATE SEQUENCE benchmark_area_ids START 1;
CREATE TABLE benchmark_areas (
    area_id INTEGER PRIMARY KEY DEFAULT nextval('benchmark_area_ids'),
    level VARCHAR NOT NULL CHECK (level IN ('national', 'region', 'local_authority')),
    area_key VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    new_la_code VARCHAR,
    old_la_code VARCHAR,
    region_code VARCHAR,
    region_name VARCHAR,
    illustrative BOOLEAN NOT NULL DEFAULT FALSE,
    upload_id INTEGER NOT NULL DEFAULT 0,
    UNIQUE (level, area_key)
);
CREATE TABLE benchmark_values (
    area_id INTEGER NOT NULL,
    measure_id INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    upload_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (area_id, measure_id, period, upload_id)
);
CREATE TABLE statistical_neighbours (
    la_key VARCHAR NOT NULL,
    la_code VARCHAR,
    la_name VARCHAR NOT NULL,
    position INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    neighbour_code VARCHAR,
    neighbour_name VARCHAR,
    closeness VARCHAR,
    upload_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (la_key, position, upload_id)
);
CREATE SEQUENCE site_la_code_ids START 1;
CREATE TABLE site_la_codes (
    seq INTEGER PRIMARY KEY DEFAULT nextval('site_la_code_ids'),
    site_id INTEGER NOT NULL,
    la_code VARCHAR NOT NULL,
    upload_id INTEGER NOT NULL DEFAULT 0
);
"""

# Migration 6 (first views, issue 14): survey comparisons computed when the data are stored.
# One row per site (0: every site together), comparable wave pair and disclosure threshold:
# the frames rpgdash.compare_waves (every role) and compare_domains return, as Arrow IPC
# streams, with a fingerprint of everything they were computed from (the answers counted per
# level, the group sizes and the statistics code; rpgdash/results_store.py). A row is used
# only while its fingerprint matches the stored data, so a stale row is never shown; it is
# derived data, rewritten by uploads, reverts and `python -m rpgdash precompute`.
_MIGRATION_RESULTS = """
CREATE TABLE survey_results (
    site_id INTEGER NOT NULL,
    wave_a VARCHAR NOT NULL,
    wave_b VARCHAR NOT NULL,
    min_group INTEGER NOT NULL,
    fingerprint VARCHAR NOT NULL,
    comparisons BLOB NOT NULL,
    domain_models BLOB NOT NULL
);
"""

# Migration 7 (first views, issue 14): the survey pages' views built when the data are stored
# (rpgdash/view_store.py): per site (0: every site), wave pair, threshold, adjustment and
# domain, the pickled page-ready views, with a fingerprint of the site's data and of the code
# that shapes them. Derived data, like survey_results: used only while the fingerprint matches.
_MIGRATION_PAGE_VIEWS = """
CREATE TABLE survey_page_views (
    site_id INTEGER NOT NULL,
    wave_a VARCHAR NOT NULL,
    wave_b VARCHAR NOT NULL,
    min_group INTEGER NOT NULL,
    adjust VARCHAR NOT NULL,
    domain VARCHAR NOT NULL,
    fingerprint VARCHAR NOT NULL,
    views BLOB NOT NULL
);
"""

#: Migrations in order; migration i (1-based) brings the schema to version i. A migration is
#: SQL text, or a function of the connection for steps SQL alone cannot express.
#: Never edit an applied migration: append a new one.
MIGRATIONS: tuple[str | Callable[[duckdb.DuckDBPyConnection], None], ...] = (
    _MIGRATION_1,
    _MIGRATION_2,
    _MIGRATION_3,
    _migration_4,
    _MIGRATION_BENCHMARKS,
    _MIGRATION_RESULTS,
    _MIGRATION_PAGE_VIEWS,
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> Path:
    return Path(settings.get("db_path"))


def _busy_message(path: Path) -> str:
    return (
        f"The database {path} is in use by another program (most likely the running "
        "dashboard). Stop that program, or pass --db with another file, and try again; "
        "nothing was written."
    )


class Database:
    """One open DuckDB database shared by every thread of this process.

    A DuckDB connection must not be used by two threads at once, so every read takes its own
    cursor (:meth:`cursor`), and every write goes through :meth:`transaction`, which holds a
    process-wide lock so that writes are serialised and each is all-or-nothing.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
        self._con = con
        self.path = path
        self.read_only = read_only
        self._write_lock = threading.Lock()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A new cursor for the calling thread; close it when done (use ``with``)."""
        return self._con.cursor()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run writes in one transaction: committed together, or rolled back on any error."""
        if self.read_only:
            raise DatabaseError(
                f"The database {self.path} was opened read-only; nothing was written."
            )
        with self._write_lock, self._con.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database; 0 for an empty file."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION`; return the version found before."""
    found = schema_version(con)
    if found > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"The database {path} has schema version {found}, but this version of the "
            f"dashboard understands up to version {SCHEMA_VERSION}. Upgrade the dashboard "
            "(git pull, then make run); the file was not changed."
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            step = MIGRATIONS[version - 1]
            if callable(step):
                step(con)
            else:
                con.execute(step)
            con.execute("INSERT INTO schema_version (version) VALUES (?)", [version])
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    return found


def open_db(path: str | Path | None = None, read_only: bool = False) -> Database:
    """Open (creating and migrating if needed) the database at ``path``.

    ``path`` defaults to the ``RPGDASH_DB`` setting. Raises :class:`DatabaseBusyError` when
    another process holds the file, and :class:`SchemaTooNewError` for a file written by a
    newer version of the product.
    """
    path = Path(path) if path is not None else default_path()
    if read_only and not path.exists():
        raise DatabaseError(
            f"There is no database at {path}. Build the demo with "
            "'python -m rpgdash init-demo', or set RPGDASH_DB to an existing file."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(_busy_message(path)) from None
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(
            f"The database {path} could not be opened ({first_line}). Check that RPGDASH_DB "
            "names a DuckDB file written by this dashboard."
        ) from None
    try:
        if read_only:
            found = schema_version(con)
            if found != SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"The database {path} has schema version {found}, this dashboard needs "
                    f"{SCHEMA_VERSION}; open it once without read-only to upgrade it."
                    if found < SCHEMA_VERSION
                    else f"The database {path} has schema version {found}, newer than this "
                    f"dashboard understands ({SCHEMA_VERSION}). Upgrade the dashboard."
                )
        else:
            migrate(con, path)
    except BaseException:
        con.close()
        raise
    return Database(con, path, read_only)


def table_names(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """The database's own tables, by name (from the catalogue, never from users)."""
    return [
        r[0]
        for r in cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name"
        ).fetchall()
    ]


def data_version(db: Database) -> str:
    """A fingerprint of every table's content: row count and an order-free sum of row hashes.

    Computed by DuckDB in one query (the Python side never sees the rows), so it costs a few
    milliseconds and changes with any insert, update or delete.
    """
    with db.cursor() as cur:
        tables = table_names(cur)
        # Table names come from the catalogue, not from users; identifiers cannot be bound.
        sql = " UNION ALL ".join(
            f"SELECT '{t}', count(*), coalesce(sum(hash(r)::HUGEINT), 0) FROM \"{t}\" r"
            for t in tables
        )
        rows = cur.execute(sql).fetchall() if tables else []
    return f"{db.path}|" + ";".join(f"{name}:{n}:{total}" for name, n, total in sorted(rows))


def table_checksums(db: Database) -> dict[str, str]:
    """A checksum of the full content of every table (tests use it to prove 'nothing changed')."""
    with db.cursor() as cur:
        tables = table_names(cur)
        sums = {}
        for table in tables:
            # Table names come from the catalogue, not from users; identifiers cannot be bound.
            rows = cur.execute(f'SELECT * FROM "{table}"').fetchall()
            digest = hashlib.sha256("\n".join(sorted(map(repr, rows))).encode())
            sums[table] = digest.hexdigest()
        return sums
