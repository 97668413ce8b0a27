"""The public commitments register: customer measures with due dates, owners, evidence and measured values."""
