"""Upload data: check a file, preview what would change, store it; history and revert."""

import hashlib

import streamlit as st

from rpgdash import ingest, queries, ui
from rpgdash.access import current_upload_access
from rpgdash.db import DIRECTIONS
from rpgdash.ingest.reading import max_upload_bytes
from rpgdash.present.uploads import history_table, upload_label
from rpgdash.ui import as_text, as_text_list, get_db
from rpgdash.ui.routing import enter_through_app

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

access = current_upload_access()
if not access.allowed:
    st.error(access.message)
    st.stop()

st.title("Upload data")
if access.show_in_navigation and "anyone" in access.message:
    st.warning(as_text(access.message))
else:
    st.caption(as_text(access.message))
st.write(
    "Choose what the file holds and upload it. The whole file is checked first; nothing is "
    "stored until you have seen what would change and pressed the store button. Every "
    "upload is listed at the bottom of this page and can be reverted."
)

db = get_db()
if "upload_message" in st.session_state:
    st.success(as_text(st.session_state.pop("upload_message")))

kind = st.segmented_control(
    "What does the file hold?",
    list(ingest.KINDS),
    format_func=lambda name: ingest.KINDS[name].label,
    default="indicators",
    key="upload_kind",
    required=True,
)
spec = ingest.kind_spec(kind)
sites = queries.local_site_names(db)
left, right = st.columns(2)
site = left.selectbox(
    "Site (used when the file has no site column)",
    sites,
    index=0 if len(sites) == 1 else None,
    accept_new_options=True,
    placeholder="Choose a site or type a new name",
    help="A name that is not stored yet creates a new site when the file is stored.",
)
sheet = right.text_input("Sheet of an Excel workbook (blank: the first sheet)", value="")
wave = None
if spec.asks_wave:
    waves = queries.wave_labels(db)
    c1, c2, c3, c4 = st.columns(4)
    label = c1.selectbox(
        "Wave (used when the file has no wave column)",
        waves,
        index=None,
        accept_new_options=True,
        placeholder="Choose or type a wave",
    )
    start = c2.date_input("Fieldwork start (new waves)", value=None)
    end = c3.date_input("Fieldwork end (new waves)", value=None)
    invited = c4.number_input("Staff invited", min_value=0, value=None, step=1)
    if label:
        wave = ingest.WaveDetails(label, start, end, int(invited) if invited else None)

if spec.help:
    st.caption(spec.help)
kind_options = {}
for option in spec.options:
    given = st.text_input(option.label, help=option.help, key=f"upload_{kind}_{option.name}")
    if given.strip():
        kind_options[option.name] = (
            [part.strip() for part in given.split(",") if part.strip()]
            if option.many
            else given.strip()
        )

limit_mb = max_upload_bytes() // (1024 * 1024)
uploaded = st.file_uploader(
    f"File: CSV (comma, semicolon or tab separated) or Excel .xlsx, up to {limit_mb} MB",
    type=["csv", "tsv", "txt", "xlsx"],
    # A new key after each store or revert: the uploader starts empty, so the preview of a
    # file just stored or reverted is not offered again.
    key=f"upload_file_{kind}_{st.session_state.get('upload_round', 0)}",
    max_upload_size=limit_mb,
)

if uploaded is not None:
    try:
        ingest.check_size(uploaded.size, uploaded.name)
        data = uploaded.getvalue()
        plan_key = (
            hashlib.sha256(data).hexdigest(),
            uploaded.name,
            kind,
            site,
            wave,
            sheet.strip() or None,
            repr(sorted(kind_options.items())),
        )
        if st.session_state.get("upload_plan_key") != plan_key:
            bar = st.progress(0.0, "Reading the file")
            try:
                parsed = ingest.parse_upload(
                    db,
                    data,
                    uploaded.name,
                    kind,
                    site=site,
                    wave=wave,
                    sheet=sheet.strip() or None,
                    progress=lambda f, m: bar.progress(min(f, 1.0), m),
                    options=kind_options,
                )
                st.session_state["upload_plan"] = ingest.preview(db, parsed)
                st.session_state["upload_plan_key"] = plan_key
            finally:  # a refusal must not leave the bar half way
                bar.empty()
        plan = st.session_state["upload_plan"]
    except ingest.IngestError as exc:
        st.session_state.pop("upload_plan_key", None)
        st.error(
            f"{as_text(uploaded.name)} was not stored: fix the problems below and upload it again. "
            "Lines are numbered as a spreadsheet shows them (the header is line 1)."
        )
        st.code(str(exc), language=None)
        plan = None

    if plan is not None:
        parsed = plan.parsed
        st.subheader("What storing this file would do")
        st.caption(f"Read as {as_text(parsed.source)}; layout: {as_text(parsed.layout)}.")
        for note in parsed.notes:
            st.info(as_text(note))
        if plan.already_stored is not None:
            st.info(as_text(plan.summary()))
        else:
            m1, m2, m3, m4 = st.columns(4)
            m1.metric("Rows to add", plan.added)
            m2.metric("Stored values that would change", plan.changed)
            m3.metric("Rows already stored, unchanged", plan.unchanged)
            m4.metric("Missing values (not stored)", plan.missing)
            if plan.new_waves:
                st.write("New waves to create: " + as_text_list(plan.new_waves))
            if plan.new_themes:
                st.write("New themes to create: " + as_text_list(plan.new_themes))
            if parsed.new_sites:
                st.write("New sites to create: " + as_text_list(parsed.new_sites))
            st.markdown(f"**{spec.coverage_title}**")
            st.dataframe(plan.coverage, hide_index=True)
            if not plan.changes.empty:
                st.markdown(f"**{spec.changes_title}**")
                st.dataframe(plan.changes, hide_index=True)
            if not plan.to_add.empty:
                with st.expander("Rows to add (first rows)"):
                    st.dataframe(plan.to_add, hide_index=True)
            new_indicators = {}
            for name, matches in plan.unknown_indicators.items():
                st.markdown(f"**New indicator: {as_text(name)}**")
                if matches:
                    st.caption(
                        "Stored indicators with similar names: " + as_text_list(matches) + ". If "
                        "one of these is meant, correct the file instead."
                    )
                a, b = st.columns(2)
                unit = a.text_input("Unit", key=f"unit_{name}", placeholder="e.g. children")
                direction = b.selectbox(
                    "A better result is a", DIRECTIONS, index=None, key=f"dir_{name}"
                )
                if unit.strip() and direction:
                    new_indicators[name] = (unit.strip(), direction)
            replace = False
            if plan.changed and spec.can_replace:
                replace = st.checkbox(
                    f"Replace the {plan.changed} stored values that differ (the old values are "
                    "kept in the history, so this upload can be reverted)"
                )
            accept_outliers = False
            if plan.n_outliers:
                st.markdown(
                    f"**{plan.n_outliers} values far from their stored series** (outside its "
                    "process limits, or far outside its stored range)"
                )
                st.dataframe(plan.outliers, hide_index=True)
                accept_outliers = st.checkbox(
                    f"I have checked these {plan.n_outliers} values: they are right",
                    key="accept_outliers",
                )
            rows = plan.added + (plan.changed if replace else 0)
            blocked = (
                len(new_indicators) < len(plan.unknown_indicators)
                or (plan.changed and not replace)
                or (plan.n_outliers and not accept_outliers)
            )
            if blocked:
                st.caption(
                    "The store button is available once every new indicator has a unit and "
                    "direction, replacing stored values is ticked where values differ, and "
                    "values far from their series are confirmed."
                )
            if plan.nothing_to_store:
                st.info("Every value in this file is already stored; there is nothing to store.")
            elif st.button(f"Store these {rows} rows", key="store_upload", disabled=blocked):
                bar = st.progress(0.7, "Storing")
                try:
                    result = ingest.commit(
                        db,
                        plan,
                        user=st.user.get("email") if st.user.get("is_logged_in") else None,
                        replace=replace,
                        new_indicators=new_indicators,
                        accept_outliers=accept_outliers,
                        progress=lambda f, m: bar.progress(min(f, 1.0), m),
                    )
                except ingest.IngestError as exc:
                    bar.empty()
                    st.error("Nothing was stored:")
                    st.code(str(exc), language=None)
                else:
                    ui.data_changed()  # every cached read and shared view
                    st.session_state.pop("upload_plan_key", None)
                    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
                    st.session_state["upload_message"] = (
                        result.message + " Every page now shows the new data."
                    )
                    st.rerun()

st.divider()
st.subheader("Improvement direction of stored indicators")
st.caption(
    "Charts mark a change as better or worse using this setting. Changing it changes no data."
)
indicators = queries.indicator_directions(db)
with st.form("directions"):
    chosen = {
        row.name: st.selectbox(
            as_text(row.name),
            DIRECTIONS,
            index=DIRECTIONS.index(row.direction),
            key=f"d_{row.name}",
        )
        for row in indicators.itertuples()
    }
    if st.form_submit_button("Save directions"):
        before = dict(zip(indicators["name"], indicators["direction"], strict=True))
        changed = [n for n, d in chosen.items() if d != before[n]]
        try:
            for name in changed:
                ingest.set_indicator_direction(db, name, chosen[name])
        finally:  # whatever was saved before a failure must show on every page
            if changed:
                ui.data_changed()  # every cached read and shared view
        if changed:
            st.success("Saved: " + as_text_list(changed) + ".")
        else:
            st.info("No direction was changed.")

st.divider()
st.subheader("Upload history")
history = queries.upload_history(db)
if history.empty:
    st.caption("Nothing has been uploaded yet.")
else:
    st.dataframe(history_table(history), hide_index=True)
    stored = history[history["status"] == "stored"]
    if not stored.empty:
        st.markdown("**Revert an upload**")
        st.caption(
            "Reverting removes the rows an upload added and puts back the values it replaced. "
            "An upload whose values a later upload changed can only be reverted after that "
            "later upload."
        )
        choice = st.selectbox(
            "Upload to revert",
            list(stored["upload_id"]),
            format_func=lambda u: upload_label(
                u,
                stored.set_index("upload_id").at[u, "file_name"],
                stored.set_index("upload_id").at[u, "uploaded_at"],
            ),
            index=None,
            key="revert_choice",
        )
        if choice is not None:
            sure = st.checkbox(f"Yes, revert upload {choice}", key=f"revert_sure_{choice}")
            if st.button(f"Revert upload {choice}", key=f"revert_{choice}", disabled=not sure):
                try:
                    message = ingest.revert(db, int(choice))
                except ingest.IngestError as exc:
                    st.error(as_text(exc))
                else:
                    ui.data_changed()  # every cached read and shared view
                    st.session_state.pop("upload_plan_key", None)
                    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
                    st.session_state["upload_message"] = message
                    st.rerun()
