"""Two agents claim the same complaint at the same moment over real HTTP: exactly one wins."""

import requests

from tests.factories import a_draft
from tests.integration.desk_fixtures import desk, desk_engine, run_together, staff, tracker_url

__all__ = ["desk", "desk_engine", "staff", "tracker_url"]  # fixtures, imported for pytest

ROUNDS = 6


def test_of_two_agents_claiming_at_once_exactly_one_gets_200_and_the_other_409(staff):
    base_url = str(staff.client.base_url).rstrip("/")
    agents = ["alice", "bob"]
    headers = {agent: staff.auth(agent) for agent in agents}
    for round_ in range(ROUNDS):
        ticket = staff.file(a_draft(), f"claim-{round_}").ticket

        def claim(i, ticket=ticket):
            with requests.Session() as http:  # a connection of its own, like a second browser
                return http.post(f"{base_url}/api/complaints/{ticket}/claim", headers=headers[agents[i]], timeout=30)

        responses = run_together(2, claim)
        assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
        winner = agents[[r.status_code for r in responses].index(200)]
        loser = responses[agents.index(winner) - 1]
        assert loser.json()["code"] == "already_claimed"
        detail = staff.client.get(f"/api/complaints/{ticket}", headers=staff.auth("sam")).json()
        assert (detail["status"], detail["assigned_agent"]) == ("in_progress", winner)
        assert [(e["actor"], e["action"]) for e in detail["audit"] if e["action"] == "claimed"] == [(winner, "claimed")]
