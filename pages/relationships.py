"""Survey page: the relationships statements, compared between waves."""

from rpgdash.ui.routing import enter_through_app
from rpgdash.ui.survey import domain_page

enter_through_app()  # first, before drawing anything: see rpgdash/ui/routing.py

domain_page("relationships")  # title and intro from the registry (rpgdash/present/domains.py)
