"""An employee's right of access (AVG art. 15): their data in the store, as files (issue 17)."""
