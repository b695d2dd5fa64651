import json

from django.core.management.base import BaseCommand, CommandError

from jinxuan.campaigns.models import Campaign
from jinxuan.pipeline.replay import replay_all


class Command(BaseCommand):
    help = "评审流程：replay 用保存的输入重算每个阶段结果并与保存的排名比对"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("replay", help="重算并比对各阶段结果")
        r.add_argument("--campaign", default=None, help="只检查这个活动（slug）")

    def handle(self, *args, action, campaign=None, **options):
        target = None
        if campaign:
            target = Campaign.objects.filter(slug=campaign).first()
            if target is None:
                raise CommandError(f"找不到活动 {campaign}")
        results = replay_all(target)
        for r in results:
            self.stdout.write(json.dumps(r, ensure_ascii=False))
        bad = [r for r in results if not r["same"]]
        if bad:
            raise CommandError(f"{len(bad)} 个阶段结果重算不一致")
        self.stderr.write(f"{len(results)} 个阶段结果重算一致")
