"""The survey domain pages (professional, self-efficacy, relationships): one shared layout."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from rpgdash import charts, ui
from rpgdash.ingest.safe_csv import to_safe_csv
from rpgdash.present import domains, narrative
from rpgdash.present.survey_results import n_phrase, results_table
from rpgdash.stats import add_all_roles, level_shares


def choose_waves(waves: list[str], domain: str) -> tuple[str, str]:
    """The two waves to compare: a page control when more than two exist."""
    if len(waves) == 2:
        return waves[0], waves[1]
    left, right = st.columns(2)
    first = left.selectbox("Earlier wave", waves[:-1], index=0, key=f"{domain}_wave_a")
    later = [w for w in waves if waves.index(w) > waves.index(first)]
    second = right.selectbox("Later wave", later, index=len(later) - 1, key=f"{domain}_wave_b")
    return first, second


def caveats(summary: pd.DataFrame, *, min_group: int, use_holm: bool | str) -> str:
    rates = "; ".join(
        f"{ui.as_text(r.wave)}: {r.respondents} of about {int(r.invited)} invited "
        f"({r.response_rate:.0f}%)"
        for r in summary.itertuples()
        if r.comparable and pd.notna(r.invited) and r.invited
    )
    return (
        f"**Method.** {narrative.survey_method(use_holm)}  \n"
        f"**Caveats.** Response rates were modest ({rates}), so those who answered may differ "
        "from those who did not. The baseline survey used a different instrument and is not "
        "comparable, so it is excluded. Differences between waves are associations, not proof "
        f"that RPGs caused them. Groups with fewer than {min_group} respondents are not shown."
        f"  \n{ui.ILLUSTRATIVE}"
    )


@st.cache_data(show_spinner=False)
def _level_shares(db_path: str, site: str | None) -> pd.DataFrame:
    """Share of answers at each level, per statement, wave and role (All roles included)."""
    return level_shares(add_all_roles(ui.level_counts(db_path, site), label=ui.ALL_ROLES))


@st.cache_data(show_spinner=False, max_entries=512)
def survey_view(
    db_path: str,
    site: str | None,
    role: str,
    waves: tuple[str, ...],
    pair: tuple[str, str],
    use_holm: bool,
    min_group: int,
    domain: str,
) -> dict:
    """Everything a domain page shows for one choice of filters, charts as Vega-Lite specs.

    Cached on the filters, so changing a filter back and forth costs no recomputation. A first
    view slices the cached comparisons and fills the cached chart layouts with its data.
    """
    wave_a, wave_b = pair
    everything = ui.comparisons(db_path, site, pair, min_group)
    comp = everything[(everything["domain"] == domain) & (everything["role"] == role)]
    comp = comp.reset_index(drop=True)
    view: dict = {"comp": comp, "hidden": comp.empty or comp["suppressed"].notna().all()}
    if view["hidden"]:
        return view
    models = ui.domain_models(db_path, site, pair, min_group)
    in_domain = models[models["domain"] == domain]
    view["model"] = (
        None
        if role != ui.ALL_ROLES or in_domain.empty
        else narrative.model_sentence(
            in_domain.iloc[0], wave_a, wave_b, scope="and statement, across the set"
        )
    )
    shares = _level_shares(db_path, site)
    shares = shares[
        (shares["domain"] == domain)
        & (shares["role"] == role)
        & shares["wave"].isin([wave_a, wave_b])
    ]
    table = results_table(comp, use_holm=use_holm)
    view.update(
        summary=narrative.domain_summary(comp, use_holm=use_holm),
        n=n_phrase(comp),
        # Dicts from a cached layout: building Altair charts per view was most of its time.
        dumbbell=ui.chart_spec(
            charts.dumbbell_spec(
                comp,
                waves=list(waves),
                use_holm=use_holm,
                title=f"Mean agreement, {wave_a} and {wave_b}",
            )
        ),
        diverging=ui.chart_spec(
            charts.diverging_spec(shares, waves=list(waves), title="How people answered")
        ),
        # An Arrow table: Streamlit sends it as it is, without converting from pandas.
        table=pa.Table.from_pandas(table, preserve_index=False),
        csv=to_safe_csv(table),
    )
    return view


@st.cache_data(show_spinner=False, max_entries=256)
def role_view(
    db_path: str,
    site: str | None,
    pair: tuple[str, str],
    min_group: int,
    domain: str,
    measure: str,
) -> dict:
    """The role breakdown (independent of the role filter): heatmap spec and hidden roles."""
    everything = ui.comparisons(db_path, site, pair, min_group)
    in_domain = everything[everything["domain"] == domain]
    roles = [ui.ALL_ROLES, *ui.role_names(db_path)]
    spec = ui.chart_spec(
        charts.role_heatmap(
            in_domain,
            value=measure,
            roles=roles,
            min_group=min_group,
            title="Mean agreement by job role" if measure != "diff" else "Change by job role",
        )
    )
    hidden = in_domain.loc[in_domain["suppressed"].notna(), "role"].unique().tolist()
    return {"spec": spec, "hidden": hidden}


def domain_page(domain: str) -> None:
    """Draw one survey domain page (a key of the domain registry) for the sidebar's filters."""
    registered = domains.domain(domain)
    st.title(registered.title)
    st.caption(registered.intro)
    key, site, role, k = ui.db_key(), ui.selected_site(), ui.selected_role(), ui.min_group()
    waves = ui.comparable_waves(key)
    if len(waves) < 2:
        st.info("Two comparable survey waves are needed before changes can be shown.")
        return
    wave_a, wave_b = choose_waves(waves, domain)
    use_holm = st.radio(
        "Adjust for testing many statements at once",
        list(narrative.ADJUSTMENTS),
        format_func=lambda key: narrative.ADJUSTMENTS[key].label,
        horizontal=True,
        key=f"{domain}_adjust",
        help="Holm controls the chance of any false 'significant' within this set of "
        "statements; Benjamini-Hochberg controls the share of false ones among all the "
        "statements and job roles found significant.",
    )
    view = survey_view(key, site, role, tuple(waves), (wave_a, wave_b), use_holm, k, domain)
    if view["comp"].empty:
        st.info("No answers are stored for this set of statements yet.")
        return
    if view["hidden"]:
        st.warning(
            f"No results are shown for {ui.as_text(role)}: fewer than {k} people in this role "
            "answered in "
            f"at least one of the two waves (or showing them would let a small group be worked "
            f"out from the others). Choose another role, or All roles."
        )
        st.markdown(caveats(ui.wave_summary(key, site), min_group=k, use_holm=use_holm))
        return

    st.markdown(f"**{ui.as_text(view['summary'])}**")
    st.caption(f"{ui.as_text(role)} · {ui.as_text(view['n'])}")
    if view.get("model"):
        st.markdown(ui.as_text(view["model"]))
        st.caption(narrative.DOMAIN_MODEL_CAVEAT)
    ui.show_chart(view["dumbbell"], alt=view["summary"])
    ui.show_chart(
        view["diverging"],
        alt="Share of answers at each level per statement and wave; the table below gives "
        "the % agreeing.",
    )

    st.markdown("## By job role")
    measure = st.radio(
        "Show",
        ["mean_b", "mean_a", "diff"],
        horizontal=True,
        key=f"{domain}_heat",
        format_func={
            "mean_b": f"Mean at {ui.as_text(wave_b)}",
            "mean_a": f"Mean at {ui.as_text(wave_a)}",
            "diff": "Change between waves",
        }.get,
    )
    roles_view = role_view(key, site, (wave_a, wave_b), k, domain, measure)
    ui.show_chart(roles_view["spec"], alt="Mean agreement per statement and job role.")
    if roles_view["hidden"]:
        st.caption(
            "Not shown to protect individuals: "
            + ui.as_text_list(roles_view["hidden"])
            + f" (fewer than {k} respondents in a wave, or needed to stop a small group being "
            "worked out by subtraction)."
        )

    st.markdown("## Results table")
    table = view["table"]
    two_places = st.column_config.NumberColumn(format="%.2f")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            c: two_places
            for c in table.column_names
            if c.startswith(("Mean", "Change in mean", "Cliff", "Odds"))
        },
    )
    slug = f"{domain}_{role}_{wave_a}_{wave_b}".lower().replace("+", "plus").replace(" ", "_")
    st.download_button(
        "Download this table (CSV)",
        view["csv"],
        file_name=f"{slug}.csv",
        mime="text/csv",
        key=f"{domain}_download",
    )
    st.caption(ui.EXCEL_SAFE_CSV)
    st.markdown(caveats(ui.wave_summary(key, site), min_group=k, use_holm=use_holm))
