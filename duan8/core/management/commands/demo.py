from django.db import transaction

from duan8.accounts.models import Membership, Role, User
from duan8.activities import demo as activities_demo
from duan8.benefits import demo as benefits_demo
from duan8.community import demo as community_demo
from duan8.core import demo_national
from duan8.core.management.base import AuditedCommand
from duan8.dhis2 import demo as dhis2_demo
from duan8.documents import demo as documents_demo
from duan8.finance import demo as finance_demo
from duan8.framework import defaults as framework_defaults
from duan8.framework import demo as framework_demo
from duan8.geo import demo, official
from duan8.geo.models import AdminUnit, UnitKind
from duan8.maternal import demo as maternal_demo
from duan8.reporting import defaults as reporting_defaults

DEMO_PASSWORD = "duan8-demo"
DEMO_ACCOUNTS = [
    # username, full name, (kind, code) of the unit, role
    ("admin", "Quản trị toàn quốc", None, None),
    (
        "laichau.quantri",
        "Quản trị Hội LHPN tỉnh Lai Châu",
        (UnitKind.PROVINCE, "12"),
        Role.UNIT_ADMIN,
    ),
    (
        "phongtho.pheduyet",
        "Phê duyệt Hội LHPN huyện Phong Thổ",
        (UnitKind.DISTRICT, "109"),
        Role.APPROVER,
    ),
    (
        "mosisan.nhaplieu",
        "Nhập liệu Hội LHPN xã Mồ Sì San",
        (UnitKind.COMMUNE, "03553"),
        Role.EDITOR,
    ),
    ("sonla.xem", "Xem Hội LHPN tỉnh Sơn La", (UnitKind.PROVINCE, "14"), Role.VIEWER),
]


class Command(AuditedCommand):
    help = "Load the demo data: official units of the demo provinces and one account per role."

    @transaction.atomic
    def handle(self, *args, **options):
        created_units = official.load().created
        created_accounts = 0
        for username, full_name, unit_key, role in DEMO_ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username, full_name=full_name, is_national_admin=unit_key is None
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                created_accounts += 1
            if unit_key is not None:
                unit = AdminUnit.objects.get(
                    kind=unit_key[0], code=unit_key[1], valid_from=official.LEGACY_VALID_FROM
                )
                for target in [
                    unit,
                    *(s.successor for s in unit.successor_links.filter(is_default=True)),
                ]:
                    Membership.objects.get_or_create(
                        user=user, unit=target, defaults={"role": role}
                    )
        villages_added = demo.load_phong_tho_project_area()
        phase = framework_defaults.load()
        reporting_defaults.load()
        framework_demo.load_lai_chau(phase)
        community_demo.load_kon_tum_teams()
        activities_demo.load_kon_tum_trainings()
        finance_demo.load(phase)
        maternal_demo.load()  # judged births in Phong Thổ
        benefits_demo.load()  # after the maternal demo's births
        national = demo_national.load_national_2023(phase)
        reports = demo_national.load_reports_2024(User.objects.get(username="admin"))
        documents_demo.load()
        dhis2_demo.load(phase)  # a typed indicator, its figures and DHIS2 mapping
        self.stdout.write(
            f"Demo data: {created_units} units, {villages_added} villages and "
            f"{created_accounts} accounts created; {national} records of the national "
            f"end-2023 situation and {reports} province reports for 2024."
        )
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for username, full_name, _, _ in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<20} {full_name}")
