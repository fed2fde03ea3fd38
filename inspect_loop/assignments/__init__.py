"""交办单 and 双交办: routing a case's findings to the sector regulator and the territorial safety office,
with receipts, regulator sign-off (业务指导) and territorial close-out (验收销号)."""
