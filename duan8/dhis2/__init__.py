"""DHIS2 data exchange: typed figures out as dataValueSets and back in, through a mapping kept
as data (see docs/dhis2.md)."""
