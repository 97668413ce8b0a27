"""The signed, verifiable, point-in-time audit export (and its OSCAL POA&M).

A bundle is one ZIP, written in this fixed order:

```
audit/events.jsonl       every audit event with seq <= the head, one canonical JSON object per line (with `hash`)
data/<entity>.jsonl      each entity type's records as the chain implies them at the head, ordered by entity id
data/<entity>.csv        the same records as CSV (UTF-8 with BOM), one row per JSONL line in the same order
oscal/poam.json          the OSCAL 1.2.1 plan of action and milestones as of the same instant
registers.xlsx           the main registers for Excel users (big inventory tables as counts by status)
public-key.pem           the Ed25519 public key (self-asserted: check it against a key you trust)
manifest.json            canonical JSON: format, as-of, chain head, counts, and path/SHA-256/size of every file above
signature                64 raw bytes: the Ed25519 signature over the exact bytes of manifest.json
```

`reports.export.bundle` writes it, `reports.export.verify` checks it, `reports.export.oscal` builds the POA&M; the
rules both sides share (CSV rendering, id order, file names) live in `reports.export.rules`.
"""
