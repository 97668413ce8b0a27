"""Controls: the regulator's orders as automated checks, their runs, findings, attestations and rotations."""
