"""Survey page: the relationships statements, compared between waves."""

from rpgdash.ui.survey import domain_page

domain_page(
    "relationships",
    "Statements about whether the RPGs improved working relationships: with team managers, "
    "peers, senior managers and across the system.",
)
