from duan8.geo.models.classification import Classification, ClassificationKind
from duan8.geo.models.lineage import Succession
from duan8.geo.models.project_area import ProjectAreaEntry
from duan8.geo.models.units import (
    ALLOWED_PARENT_KINDS,
    AdminUnit,
    AdminUnitQuerySet,
    UnitKind,
)

__all__ = [
    "ALLOWED_PARENT_KINDS",
    "AdminUnit",
    "AdminUnitQuerySet",
    "Classification",
    "ClassificationKind",
    "ProjectAreaEntry",
    "Succession",
    "UnitKind",
]
