"""Appendix of the regulator report: how to verify the audit export, with and without sectrack.

The export bundle is built by `reports/export/`; the names below are the bundle layout it writes (DESIGN.md,
"Export"). If that layout changes, change `EXPORT_LAYOUT` here: the appendix text and the tested chain script
follow from it. `CHAIN_SCRIPT` is executed against a real chain in tests/reports/test_verify_appendix.py, so the
procedure printed for the regulator is known to work.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from reports.context import ReportContext

EXPORT_LAYOUT = {
    "bundle": "audit-export.zip",
    "manifest": "manifest.json",
    "signature": "signature",
    "public_key": "public-key.pem",
    "events": "audit/events.jsonl",
}

# Recomputes every link of the chain from the export's event lines; prints the last sequence number and hash.
CHAIN_SCRIPT = """\
import hashlib, json
FIELDS = ("seq", "occurred_at", "actor", "role", "request_id",
          "action", "entity_type", "entity_id", "state", "prev_hash")
prev, seq = "0" * 64, 0
with open("{events}", encoding="utf-8") as lines:
    for line in lines:
        event = json.loads(line)
        seq += 1
        assert event["seq"] == seq, f"sequence gap before {{event['seq']}}"
        assert event["prev_hash"] == prev, f"broken link at {{seq}}"
        body = json.dumps({{k: event[k] for k in FIELDS}}, sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)
        prev = hashlib.sha256((prev + body).encode("utf-8")).hexdigest()
        assert prev == event["hash"], f"hash mismatch at {{seq}}"
print(seq, prev)
"""


def chain_script(events_path: str = EXPORT_LAYOUT["events"]) -> str:
    """The stdlib-only Python script that re-walks the chain in an export's event file."""
    return CHAIN_SCRIPT.format(events=events_path)


def build(session: Session, ctx: ReportContext) -> dict[str, Any]:
    """The verification procedure, with this report's chain head to compare against."""
    t = ctx.t
    layout = EXPORT_LAYOUT
    return {
        "intro": t("verify.intro"),
        "layout": layout,
        "sectrack_command": f"sectrack verify {layout['bundle']} --public-key {layout['public_key']}",
        "unzip_command": f"unzip {layout['bundle']} -d export && cd export",
        "openssl_command": (
            f"openssl pkeyutl -verify -pubin -inkey {layout['public_key']} -rawin "
            f"-in {layout['manifest']} -sigfile {layout['signature']}"
        ),
        "sha256_command": "sha256sum data/* audit/* oscal/*",
        "script": chain_script(),
        "head_seq": ctx.head.seq,
        "head_hash": ctx.head.hash,
    }
