"""Historical cases of the library tests (title, track, tier, organisations, paragraphs, captions)."""

CASES = [
    dict(title="公共数据架起政银企信用金桥", track="金融服务赛道", tier="一等奖",
         organisations=["青海省公共信用信息中心"],
         paragraphs=["小微企业融资难是一项全国性难题，青海以公共数据为企业画像增信。",
                     "向全省 60 万经营主体提供融资服务，授信评估效率提升 90% 以上，放款超 463 亿元。"],
         captions=["图1 融资架构体系"]),
    dict(title="中信易贷数智服务", track="金融服务赛道", tier="二等奖", organisations=["中信银行股份有限公司"],
         paragraphs=["普惠金融，尤其是小微企业融资呈现出期限短、金额小的特征，智能风控平台支撑普惠业务。",
                     "风控决策效率提高了120倍，业务不良率降低至1%以下。"]),
    dict(title="数据要素驱动保险风控服务", track="金融服务赛道", tier="二等奖",
         organisations=["平安财产保险股份有限公司"],
         paragraphs=["保险风控面临数据整合难的痛点，基于隐私计算平台构建数据安全共享体系。",
                     "沉淀 20 余项风控数据产品，赋能 2.7 亿个人用户。"]),
    dict(title="征信链赋能小微融资", track="科技创新赛道", tier="一等奖", organisations=["广州征信科技有限公司"],
         paragraphs=["以区块链连接征信数据，服务数字普惠金融。", "征信查询时间由 3 天缩短至 10 分钟。"]),
]
