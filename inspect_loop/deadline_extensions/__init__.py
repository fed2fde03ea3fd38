"""延期: a township office asks, for its unit, for a later deadline of findings or of a 交办单; the office the
county configures (its safety office, or the regulator of the sector) approves or refuses."""
