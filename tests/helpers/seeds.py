"""The seed files beside the checkout (../shared/seeds) and what they hold."""

from pathlib import Path

from django.conf import settings

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"
SEED_003 = SEEDS / "003_cf5b663ec63ff4f9.part1.txt"

# What 003 holds, read off the file: (line of the title, track, tier, title).
SEED_003_CASES = [
    (7, "金融服务赛道", "一等奖", "公共数据架起政银企信用金桥 以数增信提升金融服务质效"),
    (31, "金融服务赛道", "二等奖", "中信易贷数智服务"),
    (49, "金融服务赛道", "二等奖", "高质量数据平台建设赋能金融分析能力跃迁， 数字金融实践引领产业规模与效率双提升"),
    (67, "金融服务赛道", "二等奖", "基于数据要素驱动保险风控服务项目"),
]
