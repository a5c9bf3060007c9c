"""The management-review pack (clause 9.3 inputs): figures over audits, findings and nonconformity
records, as JSON, XLSX and a signed PDF."""
