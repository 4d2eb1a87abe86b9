"""Survey page: the self-efficacy statements, compared between waves."""

from rpgdash.ui.routing import enter_through_app
from rpgdash.ui.survey import domain_page

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

domain_page(
    "self_efficacy",
    "Statements about staff's confidence in handling their work. Only the case-reports item "
    "is named in the study; the others are illustrative self-efficacy items.",
)
