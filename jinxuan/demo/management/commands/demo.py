from django.core.management import call_command
from django.core.management.base import BaseCommand

from jinxuan.accounts.models import User
from jinxuan.campaigns.models import Campaign
from jinxuan.demo.population import ACCOUNTS, DEMO_PASSWORD, build
from jinxuan.demo.roles import workspace


class Command(BaseCommand):
    help = "载入三个征集活动预设和一套合成的演示数据（单位、各角色账户、不同状态的申报）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--per-campaign", type=int, default=14, help="每个活动生成的申报数")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有征集活动时跳过")

    def handle(self, *args, seed, per_campaign, if_empty, **options):
        if if_empty and Campaign.objects.exists():
            self.stdout.write("演示数据已存在，跳过生成。")
        else:
            build(seed=seed, applications_per_campaign=per_campaign, progress=lambda m: self.stdout.write(m))
            call_command("audit", "anchor")
            self.stdout.write("演示数据产生的邮件均保留在发件箱中，未实际发出。")
        self.stdout.write(f"\n演示账户（密码均为 {DEMO_PASSWORD}）：")
        for username, role, scope in ACCOUNTS:
            self.stdout.write(f"  {username:<26} {role:<12} {scope}")
            names = username.split(" … ")
            first = User.objects.filter(username=names[0]).first()
            if first is None:
                continue
            shown = workspace(first)
            for line in shown:
                self.stdout.write(f"  {'':<26} · {line}")
            if len(names) == 2:  # a group: the others' lines only where they differ (e.g. an expert who is late)
                prefix = names[0].rstrip("0123456789")
                for user in User.objects.filter(username__startswith=prefix).exclude(pk=first.pk).order_by("pk"):
                    for line in workspace(user):
                        if "逾期" in line and line not in shown:
                            self.stdout.write(f"  {'':<26} · {user.username}：{line}")
