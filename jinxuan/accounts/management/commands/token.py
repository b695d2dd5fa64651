from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from jinxuan.accounts.models import ApiToken


class Command(BaseCommand):
    help = "API 令牌：create 为用户签发令牌（只显示一次）；revoke 吊销某用户的全部令牌"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", default="命令行签发")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("username")

    def handle(self, *args, action, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        if action == "create":
            _, raw = ApiToken.issue(user, options["name"])
            self.stdout.write(raw)
        else:
            n = ApiToken.objects.filter(user=user, revoked=False).update(revoked=True)
            self.stdout.write(f"已吊销 {n} 个令牌")
