"""The annual audit programme: risk-based, clause coverage over the certification cycle, competent and
impartial teams, built by a constraint solver, approved by a manager, exported to PDF, XLSX and ICS."""
