"""Which roles may do what, as role sets: the route aliases of service/deps.py and the SQL scope rules
of this package are built from these, so a role rule is stated once."""

from schemas.common import Role

# Read cadres, records and evidence (each within their own scope).
READERS = (Role.officer, Role.leader, Role.researcher)
# File field records and evidence.
FILERS = (Role.officer, Role.researcher)
# The people who decide on cadres: selection work (positions, shortlists, promotions), PDF exports and
# unit performance data (scoreboards, contests, secondments, service logs). Researchers reach cadres
# only through their campaign teams, so a portable copy of a whole dossier is not for them.
OFFICE = (Role.officer, Role.leader)
