"""Survey page: the professional statements, compared between waves."""

from rpgdash.ui.survey import domain_page

domain_page(
    "professional",
    "Statements about how the RPGs have supported staff's professional practice: reflection, "
    "perspectives, emotional load and skills.",
)
