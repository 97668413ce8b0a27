"""Governance: bodies and their cadence, review meetings, agendas, decisions, actions, sign-off, board packs."""
