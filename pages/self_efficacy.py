"""Survey page: the self-efficacy statements, compared between waves."""

from rpgdash.ui.survey import domain_page

domain_page(
    "self_efficacy",
    "Statements about staff's confidence in handling their work. Only the case-reports item "
    "is named in the study; the others are illustrative self-efficacy items.",
)
